from pathlib import Path

import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand

from articles.content import parse_authors, parse_import_document
from articles.images import image_clean
from articles.models import Article, AuthorProfile
from articles.services import article_import, author_profile_for, tags_for_names

DEMO_DIR = Path(settings.BASE_DIR) / "content" / "demo"
AUTHORS_FILE = DEMO_DIR / "authors.yaml"


def load_demo_authors() -> int:
    """Create the demo's author profiles that are missing (by slug), each with its portrait
    through the uploads' image cleaning; those already there are the editors'."""
    created = 0
    for entry in yaml.safe_load(AUTHORS_FILE.read_text(encoding="utf-8")):
        if AuthorProfile.objects.filter(slug=entry["slug"]).exists():
            continue
        photo, alt = entry.pop("photo", ""), entry.pop("photo_alt", "")
        (person,) = parse_authors([entry], line=1)
        profile = author_profile_for(person=person)
        if photo:
            path = DEMO_DIR / photo
            clean = image_clean(data=path.read_bytes(), name=path.name)
            profile.photo.save(clean.name, ContentFile(clean.content), save=False)
            profile.photo_alt = alt
            profile.save()
        created += 1
    return created


class Command(BaseCommand):
    help = (
        "Load the demo articles in content/demo/ and their authors (authors.yaml). "
        "Idempotent: an article or author whose slug already exists is left alone, so "
        "editors' changes survive a restart."
    )

    def handle(self, *args, **options) -> None:
        authors = load_demo_authors()
        existing = set(Article.objects.values_list("slug", flat=True))
        created = 0
        for path in sorted(DEMO_DIR.glob("*.md")):
            document = parse_import_document(path.read_text(encoding="utf-8"))
            if document.meta["slug"] in existing:
                # Tags named by their address in an older demo ("face-twitching") take
                # their written names; the article itself is the editors'.
                tags_for_names(names=document.meta["tags"])
                continue
            article_import(
                document=document,
                source_dir=path.parent,
                comment=f"Loaded with the demo content ({path.name}).",
            )
            created += 1
        self.stdout.write(
            f"demo content: {created} article(s) loaded, {len(existing)} already there; "
            f"{authors} author(s) added"
        )
