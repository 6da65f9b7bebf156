from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone

from popularity.digest import (
    digest_context,
    last_week_start,
    week_digest,
    week_start_of,
    weekly_digest_send,
)
from popularity.forms import EARLIEST_DAY, TOO_EARLY


class Command(BaseCommand):
    help = (
        "E-mail the weekly digest (last week, Monday to Sunday, against the week before) to "
        "POPULARITY_DIGEST_RECIPIENTS or the Site owners, once per week: a week already sent "
        "is never sent again, so the scheduler runs this every hour."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--week",
            type=date.fromisoformat,
            help="Any day (YYYY-MM-DD) of a past week to send instead of last week's.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the plain-text digest instead of sending it (nothing is recorded).",
        )

    def handle(self, *args, week: date | None, dry_run: bool, **options) -> None:
        if week is not None and week_start_of(week) >= week_start_of(timezone.localdate()):
            raise CommandError("--week must be a day of a week that has ended.")
        if week is not None and week < EARLIEST_DAY:
            raise CommandError(f"--week: {TOO_EARLY}")
        week_start = week_start_of(week) if week else last_week_start()
        if dry_run:
            digest = week_digest(week_start=week_start)
            self.stdout.write(f"Subject: {digest.subject}\n")
            self.stdout.write(
                render_to_string("popularity/digest/email.txt", digest_context(digest=digest))
            )
            return
        sent = weekly_digest_send(week_start=week_start)
        if sent is None:
            self.stdout.write(f"digest of the week of {week_start}: sent before, not again")
        elif sent == 0:
            self.stderr.write(
                f"digest of the week of {week_start}: no one to send it to (set "
                "POPULARITY_DIGEST_RECIPIENTS, or give the Site owners an e-mail address)"
            )
        else:
            self.stdout.write(f"digest of the week of {week_start}: sent to {sent} address(es)")
