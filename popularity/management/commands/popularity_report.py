from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from popularity.analysis import Period, period_compared
from popularity.export import CSV_HEADER, csv_row
from popularity.statistics import first_counted_day, stats_articles


class Command(BaseCommand):
    help = "Print the articles ranked by views over the last N days, as the dashboard's table."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=30, help="Days up to today (default 30).")
        parser.add_argument("--limit", type=int, default=0, help="Show only the first N rows.")

    def handle(self, *args, days: int, limit: int, **options) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1.")
        today = timezone.localdate()
        period = period_compared(
            Period(start=today - timedelta(days=days - 1), end=today),
            counted_since=first_counted_day(),
        )
        rows = stats_articles(period=period)
        if limit > 0:
            rows = rows[:limit]
        self.stdout.write(f"Articles by views, {period.start} to {period.end} ({days} days)")
        if not rows:
            self.stdout.write("No article was read in this period.")
            return
        table = [CSV_HEADER] + [csv_row(row) for row in rows]
        widths = [max(len(line[i]) for line in table) for i in range(len(CSV_HEADER))]
        widths[1] = min(widths[1], 60)
        for line in table:
            cells = [
                cell[: widths[i]].ljust(widths[i]) if i in (1, 2) else cell.rjust(widths[i])
                for i, cell in enumerate(line)
            ]
            self.stdout.write("  ".join(cells).rstrip())
