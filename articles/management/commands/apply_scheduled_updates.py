"""Apply the scheduled updates whose minute has come (idempotent; the scheduler runs it).

The first public request after an update's minute applies it anyway (articles.scheduling):
this command is for a site nobody visits, and a retry when a lazy apply failed.
"""

from django.core.management.base import BaseCommand

from articles.scheduling import article_updates_apply_due


class Command(BaseCommand):
    help = "Put live the scheduled updates of published articles whose time has come."

    def handle(self, *args, **options):
        applied = article_updates_apply_due()
        if applied:
            self.stdout.write(f"Applied {applied} scheduled update(s).")
