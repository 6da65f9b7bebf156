from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from popularity.counting.buffer import get_buffer
from popularity.counting.flush import buffer_flush
from popularity.counting.searches import searches_flush
from popularity.warm import statistics_warm


class Command(BaseCommand):
    help = (
        "Write view counts buffered in Redis (REDIS_URL) into PostgreSQL, each batch exactly "
        "once. Run it every POPULARITY_FLUSH_INTERVAL_SECONDS; without REDIS_URL it does nothing "
        "but sum the dashboard's ended days for its default view when they are not kept."
    )

    def handle(self, *args, **options) -> None:
        buffer = get_buffer()
        if buffer is None:
            self.stdout.write("no REDIS_URL: views are written straight to PostgreSQL")
            self._warm()
            return
        try:
            result = buffer_flush()
            searches = searches_flush()
        except buffer.errors as error:
            raise CommandError(f"Redis is unreachable, nothing flushed: {error}") from error
        self.stdout.write(
            f"flushed {result.views} view(s) in {result.batches} batch(es)"
            + (f"; {result.skipped_batches} already written" if result.skipped_batches else "")
            + f"; {searches} search(es)"
            + f" (every {settings.POPULARITY_FLUSH_INTERVAL_SECONDS}s)"
        )
        self._warm()

    def _warm(self) -> None:
        # After the flush: what it wrote is in the sums (popularity/warm.py).
        if statistics_warm():
            self.stdout.write("summed the dashboard's ended days for its unfiltered views")
