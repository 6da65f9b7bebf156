from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.content import parse_import_document
from articles.models import Article
from articles.services import article_import, tags_for_names

DEMO_DIR = Path(settings.BASE_DIR) / "content" / "demo"


class Command(BaseCommand):
    help = (
        "Load the demo articles in content/demo/. Idempotent: an article whose slug "
        "already exists is left alone, so editors' changes survive a restart."
    )

    def handle(self, *args, **options) -> None:
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
            f"demo content: {created} article(s) loaded, {len(existing)} already there"
        )
