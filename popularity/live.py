""" "Right now": readers of the last 5 and 30 minutes, per article, never per person.

With Redis (REDIS_URL) the counting call itself keeps them (counting/buffer.py): every page
a reader opens, a reload too, lands in that minute's HyperLogLog of the article, from which
Redis can estimate how many distinct readers it saw but never give one back. Without
Redis, today's seen-set in PostgreSQL answers: readers whose last counted view was that
recent (a reader rereading within POPULARITY_REPEAT_VIEW_MINUTES is not seen again there),
and the source of that view.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article

from .counting.buffer import LIVE_WINDOW_MINUTES, RedisViewBuffer, get_buffer, live_minute
from .models import ReaderDay

logger = logging.getLogger(__name__)

SHORT_WINDOW_MINUTES = 5
LIVE_TOP = 10


@dataclass(frozen=True)
class LiveArticle:
    article_id: int
    title: str
    readers_5: int
    readers_30: int


@dataclass(frozen=True)
class LiveNow:
    readers_5: int
    readers_30: int
    articles: list[LiveArticle]
    # The last 30 minutes by source: counted views with Redis; without it, readers by the
    # source of their latest counted view. None: not known.
    sources: list[tuple[str, int]] | None = field(default=None)


def live_now(*, now: datetime | None = None) -> LiveNow:
    """The site's readers right now and its ten most read articles of the last 30 minutes.

    A reader of two articles is two readers (a reader is never followed across pages)."""
    now = now or timezone.now()
    buffer = get_buffer()
    if buffer is not None:
        try:
            return _from_redis(buffer, now=now)
        except buffer.errors:
            logger.warning("popularity: Redis failed, right now is read from PostgreSQL")
    return _from_database(now=now)


def _titled(counts: dict[int, tuple[int, int]]) -> list[LiveArticle]:
    top = sorted(counts.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))[:LIVE_TOP]
    titles = dict(Article.objects.filter(pk__in=[pk for pk, _ in top]).values_list("pk", "title"))
    return [
        LiveArticle(article_id=pk, title=titles[pk], readers_5=r5, readers_30=r30)
        for pk, (r5, r30) in top
        if pk in titles
    ]


def _from_database(*, now: datetime) -> LiveNow:
    since = now - timedelta(minutes=LIVE_WINDOW_MINUTES)
    recent = now - timedelta(minutes=SHORT_WINDOW_MINUTES)
    seen = ReaderDay.objects.filter(
        day__gte=timezone.localdate(since), last_counted_at__gte=since, article_id__isnull=False
    ).order_by()
    rows = (
        seen.values("article_id")
        .annotate(r30=Count("reader"), r5=Count("reader", filter=Q(last_counted_at__gte=recent)))
        .values_list("article_id", "r5", "r30")
    )
    counts = {article_id: (r5, r30) for article_id, r5, r30 in rows if article_id is not None}
    # Each recent reader once, under the source of their latest counted view.
    sources = (
        seen.exclude(source="")
        .values("source")
        .annotate(n=Count("reader"))
        .order_by("-n", "source")
        .values_list("source", "n")[:LIVE_TOP]
    )
    return LiveNow(
        readers_5=sum(r5 for r5, _ in counts.values()),
        readers_30=sum(r30 for _, r30 in counts.values()),
        articles=_titled(counts),
        sources=list(sources),
    )


def _from_redis(buffer: RedisViewBuffer, *, now: datetime) -> LiveNow:
    last = live_minute(now)
    minutes = range(last - LIVE_WINDOW_MINUTES + 1, last + 1)
    recent = set(range(last - SHORT_WINDOW_MINUTES + 1, last + 1))
    pipe = buffer.client.pipeline(transaction=False)
    for minute in minutes:
        articles_key, sources_key = buffer.minute_keys(minute)
        pipe.smembers(articles_key)
        pipe.hgetall(sources_key)
    replies = pipe.execute()
    seen: dict[int, list[int]] = {}  # article -> minutes it was read in
    sources: dict[str, int] = {}
    for minute, members, tally in zip(minutes, replies[::2], replies[1::2], strict=True):
        for member in members:
            seen.setdefault(int(member), []).append(minute)
        for name, views in tally.items():
            source = name.decode() if isinstance(name, bytes) else name
            sources[source] = sources.get(source, 0) + int(views)
    # PFCOUNT of several keys counts the readers of their union: each reader once.
    pipe = buffer.client.pipeline(transaction=False)
    asked: list[tuple[int, int]] = []  # (article, 0 for 5 minutes or 1 for 30), in order
    for article_id, read_in in sorted(seen.items()):
        keys = {m: buffer.readers_key(m, article_id) for m in read_in}
        for window, chosen in enumerate(
            ([k for m, k in keys.items() if m in recent], keys.values())
        ):
            if chosen:
                pipe.pfcount(*chosen)
                asked.append((article_id, window))
    counts: dict[int, tuple[int, int]] = dict.fromkeys(seen, (0, 0))
    for (article_id, window), readers in zip(asked, pipe.execute(), strict=True):
        pair = list(counts[article_id])
        pair[window] = int(readers)
        counts[article_id] = (pair[0], pair[1])
    return LiveNow(
        readers_5=sum(r5 for r5, _ in counts.values()),
        readers_30=sum(r30 for _, r30 in counts.values()),
        articles=_titled(counts),
        sources=sorted(sources.items(), key=lambda item: (-item[1], item[0]))[:LIVE_TOP],
    )
