"""Engaged time: the seconds a page was visible and in use, kept as a histogram per article
and day (EngagedTimeDay), and the figures read from it: medians, and the share of readers
who spent at least half the article's reading time on it.

The maths works on plain histograms (a count per bucket), whatever they were summed over:
one article's days, a tag's articles, any period.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection
from taggit.models import Tag

from articles.models import Article, TaggedArticle

from .analysis import Period
from .expressions import big_sum
from .models import EngagedTimeDay, ReadDepthDay

ENGAGED_CAP_SECONDS = 1800  # a report says at most 30 minutes (read-depth.js caps it too)
IDLE_SECONDS = 30  # read-depth.js stops counting this long after the last scroll, key, touch
# Lower edges of the buckets in seconds; the last holds the capped reports. Every half
# minute up to 5 minutes, then every minute to 10: half an article's reading time (whole
# minutes) falls on an edge for reading times up to 10 minutes and for 12, 14 … 20, 24
# and 30, so "read at least half" is exact for them; in between, it is estimated.
BUCKET_EDGES: tuple[int, ...] = (
    *(0, 5, 10, 20),
    *range(30, 300, 30),
    *range(300, 600, 60),
    *(600, 720, 900, 1200, 1500, 1800),
)


def bucket_of(seconds: int) -> int:
    """The bucket a reader with this many engaged seconds is counted in."""
    return bisect_right(BUCKET_EDGES, max(0, min(seconds, ENGAGED_CAP_SECONDS))) - 1


def _upper(bucket: int) -> int:
    return BUCKET_EDGES[bucket + 1] if bucket + 1 < len(BUCKET_EDGES) else ENGAGED_CAP_SECONDS


def median_seconds(histogram: Mapping[int, int]) -> float | None:
    """The median engaged seconds of a histogram {bucket: readers}, readers taken as spread
    evenly inside their bucket (None without readers). In the last bucket: the cap."""
    total = sum(histogram.values())
    if not total:
        return None
    half, before = total / 2, 0
    for bucket in sorted(histogram):
        count = histogram[bucket]
        if count and before + count >= half:
            low, high = BUCKET_EDGES[bucket], _upper(bucket)
            return low + (half - before) / count * (high - low)
        before += count
    return float(ENGAGED_CAP_SECONDS)  # pragma: no cover - the loop always returns


def readers_at_least(histogram: Mapping[int, int], seconds: float) -> float:
    """How many readers of the histogram spent `seconds` or more: exact when `seconds` is a
    bucket edge, otherwise the part of its bucket above it, readers spread evenly."""
    found = 0.0
    for bucket, count in histogram.items():
        low, high = BUCKET_EDGES[bucket], _upper(bucket)
        if low >= seconds:
            found += count
        elif high > seconds:
            found += count * (high - seconds) / (high - low)
    return found


def half_reading_seconds(reading_time: int) -> int:
    """Half an article's reading time (whole minutes, at least one) in seconds."""
    return max(1, reading_time) * 30


@dataclass(frozen=True)
class Engagement:
    """What readers of an article (or a tag's articles) did in a period."""

    readers: int  # readers who reported engaged time
    median: float | None  # seconds
    reading_time: int | None  # minutes (a tag's: its readers' median article)
    half_readers: float  # readers who spent at least half the reading time
    depth_readers: int = 0  # readers who reported read depth, and of them …
    completions: int = 0  # … those who reached the end

    @property
    def half_share(self) -> float | None:
        return self.half_readers / self.readers * 100 if self.readers else None

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.depth_readers * 100 if self.depth_readers else None

    @property
    def median_of_reading_time(self) -> float | None:
        """The median engaged time as a percentage of the reading time."""
        if self.median is None or not self.reading_time:
            return None
        return self.median / (self.reading_time * 60) * 100


def engagement_of(
    histograms: Sequence[tuple[int, Mapping[int, int]]], *, completions: int = 0, depth: int = 0
) -> Engagement:
    """Sum histograms of articles given as (reading time in minutes, {bucket: readers}):
    the median of all their readers, and each reader judged against their own article."""
    summed: dict[int, int] = {}
    half = 0.0
    by_time: dict[int, int] = {}
    for reading_time, histogram in histograms:
        for bucket, count in histogram.items():
            summed[bucket] = summed.get(bucket, 0) + count
        half += readers_at_least(histogram, half_reading_seconds(reading_time))
        by_time[reading_time] = by_time.get(reading_time, 0) + sum(histogram.values())
    return Engagement(
        readers=sum(summed.values()),
        median=median_seconds(summed),
        reading_time=_weighted_median(by_time),
        half_readers=half,
        depth_readers=depth,
        completions=completions,
    )


def _weighted_median(counts: Mapping[int, int]) -> int | None:
    """The value the median reader has, from {value: readers}."""
    total = sum(counts.values())
    if not total:
        return None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen * 2 >= total:
            return value
    return None  # pragma: no cover


def duration_text(seconds: float | None) -> str:
    """ "45 s", "3 min 20 s", "30 min or more" (the cap), "—" for none."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole >= ENGAGED_CAP_SECONDS:
        return f"{ENGAGED_CAP_SECONDS // 60} min or more"
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


# --- Reads ------------------------------------------------------------------------------


def article_engagement(
    *, period: Period, article_id: int, reading_time: int, depth_readers: int, completions: int
) -> Engagement:
    """One article's engaged time in the period (one query), beside its read depth."""
    rows = (
        EngagedTimeDay.objects.filter(article_id=article_id, day__range=(period.start, period.end))
        .order_by()
        .values("bucket")
        .annotate(r=big_sum("readers"))
        .values_list("bucket", "r")
    )
    return engagement_of([(reading_time, dict(rows))], completions=completions, depth=depth_readers)


def tag_engagement(*, period: Period, slugs: Sequence[str]) -> dict[str, Engagement]:
    """{tag slug: engagement} of these tags' articles in the period, in one query: each
    tag's histogram summed per reading time (a reader is judged against their article's),
    and its read-depth sums. Raw SQL: the ORM cannot join grouped subqueries to tags."""
    if not slugs:
        return {}
    links, tags = TaggedArticle._meta.db_table, Tag._meta.db_table
    span = [period.start, period.end]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH h AS (
                SELECT article_id, bucket, sum(readers)::bigint AS r
                FROM {EngagedTimeDay._meta.db_table} WHERE day BETWEEN %s AND %s
                GROUP BY article_id, bucket
            ), d AS (
                SELECT article_id, sum(readers)::bigint AS r, sum(completions)::bigint AS c
                FROM {ReadDepthDay._meta.db_table} WHERE day BETWEEN %s AND %s
                GROUP BY article_id
            ), t AS (SELECT id, slug FROM {tags} WHERE slug = ANY(%s))
            SELECT t.slug, a.reading_time, h.bucket, sum(h.r)::bigint, NULL::bigint
            FROM h
            JOIN {Article._meta.db_table} AS a ON a.id = h.article_id
            JOIN {links} AS l ON l.content_object_id = h.article_id
            JOIN t ON t.id = l.tag_id
            GROUP BY 1, 2, 3
            UNION ALL
            SELECT t.slug, NULL, NULL, sum(d.r)::bigint, sum(d.c)::bigint
            FROM d JOIN {links} AS l ON l.content_object_id = d.article_id
            JOIN t ON t.id = l.tag_id
            GROUP BY 1
            """,
            [*span, *span, list(slugs)],
        )
        rows = cursor.fetchall()
    histograms: dict[str, dict[int, dict[int, int]]] = {}
    depth: dict[str, tuple[int, int]] = {}
    for slug, reading_time, bucket, readers, completions in rows:
        if bucket is None:
            depth[slug] = (readers, completions)
        else:
            by_time = histograms.setdefault(slug, {})
            by_time.setdefault(reading_time, {})[bucket] = readers
    return {
        slug: engagement_of(
            list(histograms.get(slug, {}).items()),
            depth=depth.get(slug, (0, 0))[0],
            completions=depth.get(slug, (0, 0))[1],
        )
        for slug in {*histograms, *depth}
    }
