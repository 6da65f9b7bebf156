"""The day's salt: the secret that keys that day's reader hashes, deleted when the day ends."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from ..models import DailyAgentView, DailySalt, ReaderDay, ReadReportSeen

# (day, secret): the day's salt kept in this process, so a counted view costs no extra query.
# Replaced as one tuple, so a thread never sees one day's date with another day's secret.
_salt_memo: tuple[date, bytes] | None = None


def salt_for_day(*, day: date) -> bytes:
    """The secret of `day`, created on first use; creating it deletes every older salt."""
    global _salt_memo
    memo = _salt_memo
    if memo is not None and memo[0] == day:
        return memo[1]
    salt = DailySalt.objects.filter(day=day).values_list("secret", flat=True).first()
    secret = bytes(salt) if salt is not None else salts_rotate(today=day)
    _salt_memo = (day, secret)
    return secret


def salt_forget() -> None:
    """Drop this process's copy of the salt (tests; a rotated day re-reads it anyway)."""
    global _salt_memo
    _salt_memo = None


def salts_rotate(*, today: date) -> bytes:
    """Make sure today's salt exists and that no past salt or past seen-set row survives;
    delete the user agent counts older than POPULARITY_AGENT_RETENTION_DAYS too."""
    kept_since = today - timedelta(days=settings.POPULARITY_AGENT_RETENTION_DAYS - 1)
    with transaction.atomic():
        DailySalt.objects.bulk_create(
            [DailySalt(day=today, secret=secrets.token_bytes(32))], ignore_conflicts=True
        )
        DailySalt.objects.filter(day__lt=today).delete()
        ReaderDay.objects.filter(day__lt=today).delete()
        ReadReportSeen.objects.filter(day__lt=today).delete()
        DailyAgentView.objects.filter(day__lt=kept_since).delete()
        return bytes(DailySalt.objects.get(day=today).secret)
