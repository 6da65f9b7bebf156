from pathlib import Path

import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from taggit.models import Tag

from articles.content import parse_authors, parse_import_document
from articles.images import image_clean
from articles.models import Article, AuthorProfile, TagSettings, TrustSettings
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


# The owners' texts in a new site: general, true anywhere, with no number that could be
# wrong where a reader lives (owners replace them with their country's services).
# Markdown, one paragraph a line (as an owner types it in the admin).
DEMO_DISCLAIMER = (
    "The articles on Happy Inner Self are for general information and support. They are "
    "**not medical advice**, and they are no substitute for a diagnosis or treatment from a "
    "doctor or another qualified health professional who knows you.\n\n"
    "If you have a health concern, talk to one. In an emergency, call your local emergency "
    "number."
)
DEMO_HELP_INTRODUCTION = (
    "If you are struggling, feel unsafe or are thinking about harming yourself, you do not "
    "have to cope alone: someone can talk with you now."
)
DEMO_HELP_RESOURCES = [
    {
        "name": "Emergency services",
        "description": (
            "If you or someone else is in immediate danger, call your local emergency number "
            "or go to the nearest emergency department."
        ),
    },
    {
        "name": "Find a helpline",
        "description": "Free, confidential crisis lines, searchable by country and topic.",
        "url": "https://findahelpline.com/",
    },
    {
        "name": "Your doctor",
        "description": (
            "For anxiety, panic or burnout that will not ease, a family doctor can help you "
            "find the right support."
        ),
    },
]
# Tags whose articles offer help (those the demo has; an editor's later choice is kept).
DEMO_SENSITIVE_TAGS = ["Anxiety", "Panic", "Burnout", "Stress"]


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
        self.load_notices()

    @transaction.atomic
    def load_notices(self) -> None:
        """The demo disclaimer and help resources where the owners have set none yet."""
        notices = TrustSettings.load()
        if not notices.disclaimer and not notices.help_resources.exists():
            notices.disclaimer = DEMO_DISCLAIMER
            notices.help_introduction = DEMO_HELP_INTRODUCTION
            notices.save()
            for position, resource in enumerate(DEMO_HELP_RESOURCES, start=1):
                notices.help_resources.create(position=position, **resource)
        for tag in Tag.objects.filter(name__in=DEMO_SENSITIVE_TAGS):
            TagSettings.objects.get_or_create(tag=tag, defaults={"sensitive": True})
