"""Sums over days that have ended, kept in Django's cache until a write reaches one of them.

A dashboard period that ends today is mostly days that have ended: the flush adds only to
today's rows, except a batch buffered before midnight and written after it. So the panels
that sum a month of rows (the daily chart, the period before, the reading paths' top pairs,
the read depth of "least read") sum the ended days once, keep the result here, and add
today's rows, which are live, on every view: the figures are exactly what the rows say.

What can change an ended day's rows says so (closed_days_changed): a flush or a direct
write of a day before today, an article deleted (its rows go with it), demo readership. The
generation it sets is part of every key, so what was kept before is never read again; and
each key names its days, so a new day starts new keys.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

from .analysis import Period

T = TypeVar("T")

_GENERATION_KEY = "popularity:closed-days:generation"
# Kept a day at most: the keys of a period move on with its last ended day anyway.
CLOSED_DAYS_CACHE_SECONDS = 24 * 60 * 60


def period_split(period: Period, *, today: date) -> tuple[Period | None, Period | None]:
    """(its days that have ended, its days from today on); either may be None."""
    if period.end < today:
        return period, None
    if period.start >= today:
        return None, period
    return (
        Period(start=period.start, end=today - timedelta(days=1), compare=False),
        Period(start=today, end=period.end, compare=False),
    )


def closed_days_changed() -> None:
    """Forget every sum kept for ended days: call after writing or deleting a row of one
    (after the commit: a view in between would keep the rows as they were)."""
    cache.set(_GENERATION_KEY, time.time_ns(), None)


def article_deleted(**kwargs: object) -> None:
    """Article's post_delete receiver: its rows of every day went with it."""
    transaction.on_commit(closed_days_changed)


def closed_days_key(name: str, period: Period, *scope: object) -> str:
    """The cache key of `name`'s sums over `period` (whose days have all ended) and `scope`
    (an article, the filters) under the current generation. Take it before reading the rows
    and store under it: a write committed meanwhile has moved the generation on, so sums
    read before that write are never found under the new one."""
    generation = cache.get_or_set(_GENERATION_KEY, time.time_ns, None)
    parts = ":".join(map(str, (period.start, period.end, generation, *scope)))
    return f"popularity:closed-days:{name}:{hashlib.sha256(parts.encode()).hexdigest()[:32]}"


def closed_days_cached(name: str, period: Period, compute: Callable[[], T], *scope: object) -> T:
    """compute() (its sums over `period`), kept under closed_days_key(), computed when
    nothing is kept."""
    key = closed_days_key(name, period, *scope)
    kept = cache.get(key)
    if kept is None:
        kept = compute()
        cache.set(key, kept, CLOSED_DAYS_CACHE_SECONDS)
    return kept
