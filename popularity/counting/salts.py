"""The day's salt: the secret that keys that day's reader hashes, deleted when the day ends.

PostgreSQL (DailySalt) holds it; the "local" cache (settings.CACHES: in process, bounded)
keeps a copy under the day until that day ends, so counting a view reads no table and
makes no extra Redis call. A copy that is missing only sends the read back to PostgreSQL:
every worker ends up with the same salt either way.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import BaseCache, cache, caches
from django.db import transaction
from django.utils import timezone

from ..models import (
    DailyAgentView,
    DailySalt,
    DailySearch,
    DailySearchOpen,
    ReaderDay,
    ReadReportSeen,
)

logger = logging.getLogger(__name__)


def salt_cache_key(day: date) -> str:
    return f"popularity:salt:{day.isoformat()}"


def _copies() -> BaseCache:
    # Settings that name no "local" cache (a test's Redis-only CACHES) keep it shared.
    return caches["local"] if "local" in settings.CACHES else cache


def salt_for_day(*, day: date) -> bytes:
    """The secret of `day`, created on first use; creating it deletes every older salt."""
    try:
        cached = _copies().get(salt_cache_key(day))
    except Exception:  # any backend's outage: PostgreSQL decides, as on a miss
        logger.warning("popularity: the cache failed, reading the salt from PostgreSQL")
        cached = None
    if isinstance(cached, bytes):
        return cached
    salt = DailySalt.objects.filter(day=day).values_list("secret", flat=True).first()
    secret = bytes(salt) if salt is not None else salts_rotate(today=day)
    _salt_keep(day=day, secret=secret)
    return secret


def _salt_keep(*, day: date, secret: bytes) -> None:
    # The copy expires when its day ends, as the row is deleted then.
    day_ends = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    seconds_left = int((day_ends - timezone.now()).total_seconds())
    if seconds_left <= 0:
        return
    try:
        _copies().set(salt_cache_key(day), secret, seconds_left)
    except Exception:  # the next view reads PostgreSQL again
        logger.warning("popularity: the cache failed, the salt is not kept")


def salts_rotate(*, today: date) -> bytes:
    """Make sure today's salt exists and that no past salt or past seen-set row survives;
    delete the user agent counts older than POPULARITY_AGENT_RETENTION_DAYS and the site
    searches older than POPULARITY_SEARCH_RETENTION_DAYS too."""
    kept_since = today - timedelta(days=settings.POPULARITY_AGENT_RETENTION_DAYS - 1)
    searches_since = today - timedelta(days=settings.POPULARITY_SEARCH_RETENTION_DAYS - 1)
    with transaction.atomic():
        DailySalt.objects.bulk_create(
            [DailySalt(day=today, secret=secrets.token_bytes(32))], ignore_conflicts=True
        )
        DailySalt.objects.filter(day__lt=today).delete()
        ReaderDay.objects.filter(day__lt=today).delete()
        ReadReportSeen.objects.filter(day__lt=today).delete()
        DailyAgentView.objects.filter(day__lt=kept_since).delete()
        # What readers typed (normalised) does not live for ever; the counts above do.
        DailySearchOpen.objects.filter(day__lt=searches_since).delete()
        DailySearch.objects.filter(day__lt=searches_since).delete()
        return bytes(DailySalt.objects.get(day=today).secret)
