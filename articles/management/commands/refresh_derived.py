from django.core.management.base import BaseCommand

from articles.cache import content_changed
from articles.services import article_refresh_derived_all


class Command(BaseCommand):
    help = (
        "Recompute every article's search vector, snippet passages and reading time "
        "in three statements (after a bulk load with SQL, or a change of search weights)."
    )

    def handle(self, *args, **options) -> None:
        article_refresh_derived_all()
        content_changed()  # cached pages show reading times: start a new version
        self.stdout.write("search vectors and reading times recomputed")
