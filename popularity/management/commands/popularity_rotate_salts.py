from django.core.management.base import BaseCommand
from django.utils import timezone

from popularity.counting.salts import salts_rotate
from popularity.models import DailySalt


class Command(BaseCommand):
    help = (
        "Create today's reader-hash salt and delete every past day's salt and seen-set rows, "
        "so no reader can be linked across days, the user agent counts older than "
        "POPULARITY_AGENT_RETENTION_DAYS and the site searches older than "
        "POPULARITY_SEARCH_RETENTION_DAYS. Counting does this too on the first view "
        "of a day; run it shortly after midnight so it happens on quiet days as well."
    )

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        salts_rotate(today=today)
        kept = DailySalt.objects.count()
        self.stdout.write(f"salt for {today} ready; {kept} salt(s) kept (today's only)")
