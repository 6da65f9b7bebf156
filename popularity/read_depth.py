"""Read depth: how far readers got through an article (reports in, the funnel out)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from articles.models import Section, TaggedArticle

from .analysis import Period
from .counting.rule import reader_hash
from .counting.salts import salt_for_day
from .engaged import bucket_of, half_reading_seconds
from .expressions import big_sum
from .models import (
    EngagedTimeDay,
    ReadDepthDay,
    ReadReportSeen,
    SectionReach,
    TagEngagedTimeDay,
    TagReadDepthDay,
)

# --- Reads: the funnel -----------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    position: int
    heading: str  # as readers saw it (the latest heading reported at this position)
    anchor: str
    readers: int
    share: float  # percent of the readers who reported
    drop: float  # percentage points lost since the step before (from 100 for the first)
    earlier_headings: tuple[str, ...]  # other headings this position had in the period
    current: bool  # the article still has this heading at this position


@dataclass(frozen=True)
class ReadDepthSummary:
    readers: int
    completions: int
    steps: list[FunnelStep]

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.readers * 100 if self.readers else None

    @property
    def median_depth(self) -> int | None:
        """The section the median reader got to (0: none), from the reach counts."""
        if not self.readers:
            return None
        reach = [self.readers, *(step.readers for step in self.steps), 0]
        stopped_by = 0
        for depth in range(len(reach) - 1):
            stopped_by += reach[depth] - reach[depth + 1]  # readers whose deepest is `depth`
            if stopped_by * 2 >= self.readers:
                return depth
        return len(self.steps)

    @property
    def biggest_drop(self) -> FunnelStep | None:
        if not self.readers:
            return None
        losing = [step for step in self.steps if step.drop > 0]
        return max(losing, key=lambda step: (step.drop, -step.position), default=None)

    @property
    def changed(self) -> bool:
        return any(not step.current or step.earlier_headings for step in self.steps)


@dataclass
class _Reached:
    anchor: str
    heading: str
    readers: int = 0
    others: list[str] = field(default_factory=list)


def funnel_steps(
    reaches: Iterable[tuple[int, str, str, int]],
    *,
    readers: int,
    current_sections: list[tuple[str, str]],
) -> list[FunnelStep]:
    """The funnel from (position, anchor, heading, readers) rows, latest day first within a
    position, of `readers` reporting readers. Plain data in, plain data out."""
    by_position: dict[int, _Reached] = {}
    for position, anchor, heading, reached in reaches:
        step = by_position.setdefault(position, _Reached(anchor=anchor, heading=heading))
        step.readers += reached
        if heading != step.heading and heading not in step.others:
            step.others.append(heading)
    steps: list[FunnelStep] = []
    before = 100.0
    for position in sorted(by_position):
        step = by_position[position]
        share = step.readers / readers * 100 if readers else 0.0
        now = current_sections[position - 1] if position <= len(current_sections) else None
        steps.append(
            FunnelStep(
                position=position,
                heading=step.heading,
                anchor=step.anchor,
                readers=step.readers,
                share=share,
                drop=before - share,
                earlier_headings=tuple(step.others),
                current=now == (step.anchor, step.heading),
            )
        )
        before = share
    # Sections nobody reached in the period still belong in the funnel, at zero.
    for position in range(len(steps) + 1, len(current_sections) + 1):
        anchor, heading = current_sections[position - 1]
        steps.append(FunnelStep(position, heading, anchor, 0, 0.0, before, (), current=True))
        before = 0.0
    return steps


def read_depth_summary(
    *, period: Period, article_id: int, current_sections: list[tuple[str, str]]
) -> ReadDepthSummary:
    """The read-depth funnel of one article in the period (two queries).

    `current_sections` are the article's top-level (anchor, heading) pairs now, in order:
    steps recorded against other sections are marked as belonging to an earlier version.
    """
    totals = (
        ReadDepthDay.objects.filter(article_id=article_id, day__range=(period.start, period.end))
        .order_by()
        .aggregate(r=big_sum("readers"), c=big_sum("completions"))
    )
    rows = (
        SectionReach.objects.filter(article_id=article_id, day__range=(period.start, period.end))
        .order_by("position", "-day")
        .values_list("position", "anchor", "heading", "readers")
    )
    steps = funnel_steps(rows, readers=totals["r"], current_sections=current_sections)
    return ReadDepthSummary(readers=totals["r"], completions=totals["c"], steps=steps)


def article_top_sections(*, article_id: int) -> list[tuple[str, str]]:
    """(anchor, heading) of the article's top-level sections in order: the page's <section>s
    directly inside the prose (a subheading nests in the section before it). One query."""
    sections: list[tuple[str, str]] = []
    rows = Section.objects.filter(article_id=article_id).order_by("position")
    for anchor, heading, level in rows.values_list("anchor", "heading", "level"):
        if level == Section.Level.H3 and sections:
            continue
        sections.append((anchor, heading))
    return sections


# --- Writes: one reader's report ---------------------------------------------------------


@dataclass(frozen=True)
class ReportedSection:
    position: int
    anchor: str
    heading: str


def read_report_record(
    *,
    article_id: int,
    token_day: date,
    sections: list[ReportedSection],
    deepest: int,
    complete: bool,
    ip: str,
    user_agent: str,
    engaged: int | None = None,
    reading_time: int = 1,
    now: datetime | None = None,
) -> bool:
    """Keep one reader's read-depth report; False (nothing written) when this reader already
    reported with a token of that day for this article, and no more engaged time than then.

    `sections` are the article's top-level sections now; the reader reached the first
    `deepest` of them (all of them when `complete`). `engaged`: the seconds the page was
    visible and in use (None: not measured), judged against the article's `reading_time`
    (minutes) now. The page reports again each time it is hidden, its time grown: a
    reader's depth is their first report's, their engaged time the most they reported that
    day. One transaction: the seen-set row and the aggregates (the article's, and its tags'
    sums) are written together or not at all.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    deepest = len(sections) if complete else max(0, min(deepest, len(sections)))
    reader = reader_hash(
        salt=salt_for_day(day=day),
        ip=ip,
        user_agent=user_agent,
        article_id=article_id,
        purpose=f"read-depth:{token_day.isoformat()}",
    )
    seen, reach, days = (m._meta.db_table for m in (ReadReportSeen, SectionReach, ReadDepthDay))
    tag_days, links = TagReadDepthDay._meta.db_table, TaggedArticle._meta.db_table
    half = half_reading_seconds(reading_time)
    reached = sections[:deepest]
    # Raw SQL: the ORM cannot insert-if-absent and say whether it did in one statement, nor
    # upsert by adding to the stored counts (bulk_create(update_conflicts=True) overwrites).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {seen} (day, reader, engaged) VALUES (%s, %s, %s) "
            "ON CONFLICT (day, reader) DO NOTHING RETURNING 1",
            [day, reader, engaged],
        )
        if cursor.fetchone() is None:
            return engaged is not None and _engaged_raise(
                cursor, article_id=article_id, day=day, reader=reader, engaged=engaged, half=half
            )
        cursor.execute(
            f"""
            INSERT INTO {days} AS d (article_id, day, readers, completions)
            VALUES (%s, %s, 1, %s)
            ON CONFLICT (article_id, day) DO UPDATE
                SET readers = d.readers + 1, completions = d.completions + EXCLUDED.completions
            """,
            [article_id, day, int(complete)],
        )
        # The tags' sums; rows locked in tag order, so reports of two articles sharing tags
        # never wait on each other in a circle.
        cursor.execute(
            f"""
            INSERT INTO {tag_days} AS t (tag_id, day, readers, completions)
            SELECT l.tag_id, %s, 1, %s FROM {links} AS l
            WHERE l.content_object_id = %s ORDER BY l.tag_id
            ON CONFLICT (tag_id, day) DO UPDATE
                SET readers = t.readers + 1, completions = t.completions + EXCLUDED.completions
            """,
            [day, int(complete), article_id],
        )
        if reached:
            cursor.execute(
                f"""
                INSERT INTO {reach} AS r (article_id, day, position, anchor, heading, readers)
                SELECT %s, %s, u.position, u.anchor, u.heading, 1
                FROM unnest(%s::smallint[], %s::varchar[], %s::varchar[])
                    AS u(position, anchor, heading)
                ON CONFLICT (article_id, day, position, anchor) DO UPDATE
                    SET readers = r.readers + 1, heading = EXCLUDED.heading
                """,
                [
                    article_id,
                    day,
                    [s.position for s in reached],
                    [s.anchor for s in reached],
                    [s.heading for s in reached],
                ],
            )
        if engaged is not None:
            _histograms_change(
                cursor, article_id=article_id, day=day, changes=[(engaged, 1)], half=half
            )
    return True


def _engaged_raise(
    cursor, *, article_id: int, day: date, reader: int, engaged: int, half: int
) -> bool:
    """A later report of a reader already counted: their engaged time becomes `engaged` if
    that is more than they reported before (moving them in the histograms). False: not more."""
    seen = ReadReportSeen._meta.db_table
    # The row is locked before it is read, so two reports at once move the reader once.
    cursor.execute(
        f"""
        UPDATE {seen} AS s SET engaged = %s
        FROM (SELECT day, reader, engaged FROM {seen}
              WHERE day = %s AND reader = %s FOR UPDATE) AS before
        WHERE s.day = before.day AND s.reader = before.reader
            AND (before.engaged IS NULL OR before.engaged < %s)
        RETURNING before.engaged
        """,
        [engaged, day, reader, engaged],
    )
    row = cursor.fetchone()
    if row is None:
        return False
    changes = [(engaged, 1)] if row[0] is None else [(row[0], -1), (engaged, 1)]
    _histograms_change(cursor, article_id=article_id, day=day, changes=changes, half=half)
    return True


def _histograms_change(
    cursor, *, article_id: int, day: date, changes: list[tuple[int, int]], half: int
) -> None:
    """Add (+1) or take away (-1) a reader with so many engaged seconds, for each of
    `changes`, in the article's histogram of the day and in its tags'; `half`: the seconds
    from which a reader read at least half of it.

    Rows are changed in one order (the article's, then the tags'; by bucket, then tag), so
    two reports at once never wait on each other in a circle. Counts never go below 0
    (half_readers never above readers), whatever an article's reading time did meanwhile.
    """
    by_bucket: dict[int, list[int]] = {}
    for seconds, sign in changes:
        change = by_bucket.setdefault(bucket_of(seconds), [0, 0])
        change[0] += sign
        change[1] += sign * (seconds >= half)
    tables = [
        (EngagedTimeDay._meta.db_table, "article_id", "SELECT %s::bigint AS key"),
        (
            TagEngagedTimeDay._meta.db_table,
            "tag_id",
            f"SELECT tag_id AS key FROM {TaggedArticle._meta.db_table} "
            "WHERE content_object_id = %s",
        ),
    ]
    for table, key, keys in tables:
        for bucket, (readers, halves) in sorted(by_bucket.items()):
            if not (readers or halves):
                continue
            # The row offered for insertion is checked (half ≤ readers) before any conflict.
            cursor.execute(
                f"""
                INSERT INTO {table} AS e ({key}, day, bucket, readers, half_readers)
                SELECT k.key, %s, %s, greatest(%s, 0), least(greatest(%s, 0), greatest(%s, 0))
                FROM ({keys}) AS k ORDER BY k.key
                ON CONFLICT ({key}, day, bucket) DO UPDATE SET
                    readers = greatest(e.readers + %s, 0),
                    half_readers = least(
                        greatest(e.readers + %s, 0), greatest(e.half_readers + %s, 0)
                    )
                """,
                [day, bucket, readers, halves, readers, article_id, readers, readers, halves],
            )


def tag_sums_rebuild() -> None:
    """Write the tags' read-depth and engaged-time sums afresh from the articles' rows,
    under the tags the articles have now: for rows written without them (the demo's, the
    benchmark's seed). Counting keeps them itself."""
    links = TaggedArticle._meta.db_table
    depth, tag_depth = ReadDepthDay._meta.db_table, TagReadDepthDay._meta.db_table
    engaged, tag_engaged = EngagedTimeDay._meta.db_table, TagEngagedTimeDay._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tag_depth}")
        cursor.execute(f"DELETE FROM {tag_engaged}")
        cursor.execute(
            f"""
            INSERT INTO {tag_depth} (tag_id, day, readers, completions)
            SELECT l.tag_id, d.day, sum(d.readers), sum(d.completions)
            FROM {depth} AS d JOIN {links} AS l ON l.content_object_id = d.article_id
            GROUP BY l.tag_id, d.day ORDER BY d.day
            """
        )
        cursor.execute(
            f"""
            INSERT INTO {tag_engaged} (tag_id, day, bucket, readers, half_readers)
            SELECT l.tag_id, e.day, e.bucket, sum(e.readers), sum(e.half_readers)
            FROM {engaged} AS e JOIN {links} AS l ON l.content_object_id = e.article_id
            GROUP BY l.tag_id, e.day, e.bucket ORDER BY e.day
            """
        )
