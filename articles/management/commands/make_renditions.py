from django.core.management.base import BaseCommand

from articles.models import Article
from articles.renditions import (
    cover_renditions_refresh,
    rendition_names,
    renditions_are_stale,
)


class Command(BaseCommand):
    help = (
        "Make the resized cover copies (renditions) that are missing: for covers saved "
        "before renditions existed, or whose files were lost. --all remakes every one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", dest="remake_all", help="Remake even complete ones."
        )

    def handle(self, *args, remake_all: bool = False, **options) -> None:
        made = 0
        for article in Article.objects.exclude(cover="").iterator():
            record = article.cover_renditions or {}
            storage = article.cover.storage
            complete = not renditions_are_stale(article) and all(
                storage.exists(name) for name in rendition_names(record)
            )
            if complete and not remake_all:
                continue
            cover_renditions_refresh(article=article)
            # Only this field: updated_at stays, readers' "updated" dates do not move.
            article.save(update_fields=["cover_renditions"])
            made += 1
            self.stdout.write(
                f"{article.slug}: {len(rendition_names(article.cover_renditions))} files"
            )
        self.stdout.write(f"renditions made for {made} article(s)")
