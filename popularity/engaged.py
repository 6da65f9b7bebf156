"""Engaged time: the seconds a page was visible and in use, kept as a histogram per article
and day (EngagedTimeDay; per tag and day too), and the figures read from it: medians, and
the share of readers who spent at least half the article's reading time on it.

The maths works on plain histograms (a count per bucket), whatever they were summed over:
one article's days, a tag's, any period.
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
from .models import EngagedTimeDay, TagEngagedTimeDay, TagReadDepthDay

ENGAGED_CAP_SECONDS = 1800  # a report says at most 30 minutes (read-depth.js caps it too)
IDLE_SECONDS = 30  # read-depth.js stops counting this long after the last scroll, key, touch
# Lower edges of the buckets in seconds; the last holds the capped reports. Fine where most
# readers are (under 5 minutes, every half minute), coarser beyond: a median read from them
# is exact to within its bucket.
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


def half_reading_seconds(reading_time: int) -> int:
    """Half an article's reading time (whole minutes, at least one) in seconds."""
    return max(1, reading_time) * 30


@dataclass(frozen=True)
class Engagement:
    """What readers of an article (or a tag's articles) did in a period."""

    readers: int  # readers who reported engaged time
    median: float | None  # seconds
    reading_time: int | None  # minutes (a tag's: the median of its published articles')
    half_readers: int  # readers who spent at least half the reading time (when they read)
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
    rows = list(
        EngagedTimeDay.objects.filter(article_id=article_id, day__range=(period.start, period.end))
        .order_by()
        .values("bucket")
        .annotate(r=big_sum("readers"), h=big_sum("half_readers"))
        .values_list("bucket", "r", "h")
    )
    histogram = {bucket: readers for bucket, readers, _ in rows}
    return Engagement(
        readers=sum(histogram.values()),
        median=median_seconds(histogram),
        reading_time=reading_time,
        half_readers=sum(half for *_, half in rows),
        depth_readers=depth_readers,
        completions=completions,
    )


def tag_engagement(*, period: Period, slugs: Sequence[str]) -> dict[str, Engagement]:
    """{tag slug: engagement} of these tags in the period, in one query over the tags' own
    sums (TagEngagedTimeDay, TagReadDepthDay: a few rows a tag and day), with the median
    reading time of each tag's published articles. Raw SQL: the ORM cannot join grouped
    subqueries, nor aggregate into arrays."""
    if not slugs:
        return {}
    published_sql, published_params = (
        Article.objects.published().order_by().values("id", "reading_time").query.sql_with_params()
    )
    span = [period.start, period.end]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH t AS (SELECT id, slug FROM {Tag._meta.db_table} WHERE slug = ANY(%s))
            SELECT t.slug, e.buckets, e.readers, e.halves, d.r, d.c, m.minutes
            FROM t
            LEFT JOIN (
                SELECT tag_id, array_agg(bucket ORDER BY bucket) AS buckets,
                    array_agg(r ORDER BY bucket) AS readers, sum(h)::bigint AS halves
                FROM (
                    SELECT tag_id, bucket, sum(readers)::bigint AS r, sum(half_readers) AS h
                    FROM {TagEngagedTimeDay._meta.db_table} WHERE day BETWEEN %s AND %s
                    GROUP BY tag_id, bucket
                ) AS b
                GROUP BY tag_id
            ) AS e ON e.tag_id = t.id
            LEFT JOIN (
                SELECT tag_id, sum(readers)::bigint AS r, sum(completions)::bigint AS c
                FROM {TagReadDepthDay._meta.db_table} WHERE day BETWEEN %s AND %s
                GROUP BY tag_id
            ) AS d ON d.tag_id = t.id
            LEFT JOIN (
                SELECT l.tag_id,
                    percentile_disc(0.5) WITHIN GROUP (ORDER BY a.reading_time) AS minutes
                FROM {TaggedArticle._meta.db_table} AS l
                JOIN ({published_sql}) AS a ON a.id = l.content_object_id
                WHERE l.tag_id IN (SELECT id FROM t)
                GROUP BY l.tag_id
            ) AS m ON m.tag_id = t.id
            """,
            [list(slugs), *span, *span, *published_params],
        )
        rows = cursor.fetchall()
    found = {}
    for slug, buckets, readers, halves, depth, completions, minutes in rows:
        histogram = dict(zip(buckets or [], readers or [], strict=True))
        found[slug] = Engagement(
            readers=sum(histogram.values()),
            median=median_seconds(histogram),
            reading_time=minutes,
            half_readers=halves or 0,
            depth_readers=depth or 0,
            completions=completions or 0,
        )
    return found
