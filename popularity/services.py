"""Writes: counting a view, rotating salts, flushing buffered counts.

Counting rule (one "reader" = same day, address, browser and article, never stored as such):
the first view of the day counts and makes a unique reader; a further view counts only when
POPULARITY_REPEAT_VIEW_MINUTES have passed since the reader's last counted view, and never
more than POPULARITY_MAX_VIEWS_PER_READER times that day. Ten reloads in a row are one view.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article

from .buffer import BufferedBatch, BufferedView, get_buffer
from .models import (
    AGENT_MAX_LENGTH,
    ArticleTotal,
    DailyAgentView,
    DailySalt,
    DailyView,
    FlushedBatch,
    ReadDepthDay,
    ReaderDay,
    ReadReportSeen,
    SectionReach,
)

logger = logging.getLogger(__name__)

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


def reader_hash(
    *, salt: bytes, ip: str, user_agent: str, article_id: int, purpose: str = ""
) -> int:
    """64 bits of HMAC-SHA256 keyed by the day's salt: meaningless once the salt is gone.

    `purpose` keeps other seen-sets (read-depth reports) apart from the view counter's.
    """
    message = f"{ip}\n{user_agent}\n{article_id}".encode()
    if purpose:
        message += f"\n{purpose}".encode()
    digest = hmac.new(salt, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def agent_counted(user_agent: str) -> str:
    """The user agent as DailyAgentView keeps it: cut to its column, and without NUL, which
    PostgreSQL text cannot hold (a header carrying one must not make the count fail)."""
    return user_agent[:AGENT_MAX_LENGTH].replace("\x00", "\ufffd")


@dataclass(frozen=True)
class CountingRule:
    repeat_after: timedelta
    max_views: int

    @classmethod
    def from_settings(cls) -> CountingRule:
        return cls(
            repeat_after=timedelta(minutes=settings.POPULARITY_REPEAT_VIEW_MINUTES),
            max_views=max(1, settings.POPULARITY_MAX_VIEWS_PER_READER),
        )


def view_record(*, article_id: int, ip: str, user_agent: str, now: datetime | None = None) -> bool:
    """Count one served article page; True when it counted under the rule above.

    With REDIS_URL the view goes to the Redis buffer, and the flush decides against the
    reader-days in PostgreSQL; if Redis fails it is decided and counted in PostgreSQL at once.
    Both paths decide by the same rows, so an outage neither loses a view nor counts one twice.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    reader = reader_hash(
        salt=salt_for_day(day=day), ip=ip, user_agent=user_agent, article_id=article_id
    )
    rule = CountingRule.from_settings()
    agent = agent_counted(user_agent)
    buffer = get_buffer()
    if buffer is not None:
        try:
            return buffer.record(
                article_id=article_id,
                day=day,
                reader=reader,
                agent=agent,
                at=now,
                repeat_after=rule.repeat_after,
                max_views=rule.max_views,
            )
        except buffer.errors:
            logger.warning("popularity: Redis buffer failed, counting in PostgreSQL", exc_info=True)
    return _record_in_database(
        article_id=article_id, day=day, reader=reader, agent=agent, rule=rule, now=now
    )


@functools.cache
def _record_sql() -> str:
    readers, daily, totals, agents = (
        m._meta.db_table for m in (ReaderDay, DailyView, ArticleTotal, DailyAgentView)
    )
    # One statement, so one round trip and all-or-nothing: the seen-set decides whether the
    # view counts (and whether it is a new reader); each upsert adds atomically, so
    # concurrent requests can never lose an update. Its transaction does not wait for the
    # disk flush (synchronous_commit off, for this statement only): a page view is worth
    # about a millisecond less than that wait, and a database crash (not a restart) can
    # lose at most the last fraction of a second of counts, never corrupt them. The agent
    # count reads `seen` like the daily one, so it moves only when the view counted.
    return f"""
    SET LOCAL synchronous_commit TO OFF;
    WITH seen AS (
        INSERT INTO {readers} AS r (day, reader, views, last_counted_at)
        VALUES (%(day)s, %(reader)s, 1, %(now)s)
        ON CONFLICT (day, reader) DO UPDATE
            SET views = r.views + 1, last_counted_at = EXCLUDED.last_counted_at
            WHERE r.views < %(max_views)s AND r.last_counted_at <= %(repeat_cutoff)s
        RETURNING (r.views = 1)::int AS new_reader
    ), daily AS (
        INSERT INTO {daily} AS d (article_id, day, views, unique_readers)
        SELECT %(article_id)s, %(day)s, 1, new_reader FROM seen
        ON CONFLICT (article_id, day) DO UPDATE
            SET views = d.views + 1, unique_readers = d.unique_readers + EXCLUDED.unique_readers
        RETURNING 1
    ), agent AS (
        INSERT INTO {agents} AS g (article_id, day, agent, views)
        SELECT %(article_id)s, %(day)s, %(agent)s, 1 FROM seen
        ON CONFLICT (article_id, day, agent) DO UPDATE SET views = g.views + 1
    )
    INSERT INTO {totals} AS t (article_id, views)
    SELECT %(article_id)s, 1 FROM daily
    ON CONFLICT (article_id) DO UPDATE SET views = t.views + 1
    RETURNING 1
    """


def _record_in_database(
    *, article_id: int, day: date, reader: int, agent: str, rule: CountingRule, now: datetime
) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            _record_sql(),
            {
                "day": day,
                "reader": reader,
                "now": now,
                "max_views": rule.max_views,
                "repeat_cutoff": now - rule.repeat_after,
                "article_id": article_id,
                "agent": agent,
            },
        )
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class FlushResult:
    batches: int
    views: int
    skipped_batches: int


def buffer_flush() -> FlushResult:
    """Move buffered views into PostgreSQL, each batch exactly once.

    A batch is renamed away from the live buffer first, so new views keep arriving while it
    is written. Its id is stored in the same transaction as its counts: a flush that dies
    after the commit but before deleting the batch is retried later and skipped, never
    added twice. A batch whose write fails stays in Redis for the next run.
    """
    buffer = get_buffer()
    if buffer is None:
        return FlushResult(batches=0, views=0, skipped_batches=0)
    buffer.seal()
    rule = CountingRule.from_settings()
    batches = views = skipped = 0
    for batch in buffer.pending():
        applied = _apply_batch(batch, rule=rule)
        buffer.discard(batch)
        if applied is None:
            skipped += 1
            continue
        batches += 1
        views += applied.views
        # Where PostgreSQL had already counted a reader (on the other path), tell Redis's
        # pre-filter, so it does not hold back that reader's next view that would count.
        for (day, reader), (seen, last) in applied.overruled.items():
            buffer.reader_reset(
                day=day,
                reader=reader,
                views=seen,
                last_counted_at=last,
                repeat_after=rule.repeat_after,
            )
    FlushedBatch.objects.filter(flushed_at__lt=timezone.now() - timedelta(days=7)).delete()
    return FlushResult(batches=batches, views=views, skipped_batches=skipped)


@dataclass(frozen=True)
class AppliedBatch:
    views: int
    # (day, reader) -> (views, last counted) for readers whose buffered views did not count.
    overruled: dict[tuple[date, int], tuple[int, datetime]]


def _apply_batch(batch: BufferedBatch, *, rule: CountingRule) -> AppliedBatch | None:
    """Write one batch; None when an earlier flush already wrote it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FlushedBatch._meta.db_table} (batch_id, flushed_at) VALUES (%s, %s) "
            "ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
            [batch.batch_id, timezone.now()],
        )
        if cursor.fetchone() is None:
            return None
        # Counts of articles deleted since they were read go with the article.
        read = {a for a, _ in batch.counts} | {view.article_id for view in batch.views}
        live = set(Article.objects.filter(pk__in=read).values_list("pk", flat=True))
        counts = {k: list(v) for k, v in batch.counts.items() if k[0] in live}
        agents = {k: v for k, v in batch.agents.items() if k[0] in live}
        counted, overruled = _reader_days_decide(
            [view for view in batch.views if view.article_id in live], rule=rule
        )
        for view, new_reader in counted:
            slot = counts.setdefault((view.article_id, view.day), [0, 0])
            slot[0] += 1
            slot[1] += new_reader
            key = (view.article_id, view.day, view.agent)
            agents[key] = agents.get(key, 0) + 1
        if counts:
            _upsert_counts([(a, d, v, u) for (a, d), (v, u) in counts.items()])
        if agents:
            _upsert_agent_counts([(a, d, g, v) for (a, d, g), v in agents.items()])
    return AppliedBatch(views=sum(v for v, _ in counts.values()), overruled=overruled)


def _reader_days_decide(
    views: list[BufferedView], *, rule: CountingRule
) -> tuple[list[tuple[BufferedView, bool]], dict[tuple[date, int], tuple[int, datetime]]]:
    """Apply the counting rule to buffered views against the reader-days in PostgreSQL, and
    store the outcome there: [(view, is a new reader)] that count, and the readers some of
    whose views did not. Runs inside the batch's transaction."""
    if not views:
        return [], {}
    table = ReaderDay._meta.db_table
    keys = sorted({(view.day, view.reader) for view in views})
    with connection.cursor() as cursor:
        # Views counted straight into PostgreSQL (Redis down for another worker) wait for
        # this transaction: the two paths never decide about one reader at the same time.
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"""
            SELECT r.day, r.reader, r.views, r.last_counted_at
            FROM {table} AS r
            JOIN unnest(%s::date[], %s::bigint[]) AS k(day, reader) USING (day, reader)
            """,
            [[day for day, _ in keys], [reader for _, reader in keys]],
        )
        state = {(day, reader): (seen, last) for day, reader, seen, last in cursor.fetchall()}
        counted: list[tuple[BufferedView, bool]] = []
        overruled: set[tuple[date, int]] = set()
        changed: set[tuple[date, int]] = set()
        for view in sorted(views, key=lambda view: view.at):
            key = (view.day, view.reader)
            known = state.get(key)
            if known is None:
                counted.append((view, True))
            elif known[0] < rule.max_views and known[1] <= view.at - rule.repeat_after:
                counted.append((view, False))
            else:
                overruled.add(key)
                continue
            state[key] = (known[0] + 1 if known else 1, view.at)
            changed.add(key)
        if changed:
            rows = [(day, reader, *state[(day, reader)]) for day, reader in sorted(changed)]
            days, readers, seen, last = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(
                f"""
                INSERT INTO {table} AS r (day, reader, views, last_counted_at)
                SELECT * FROM unnest(%s::date[], %s::bigint[], %s::smallint[], %s::timestamptz[])
                ON CONFLICT (day, reader) DO UPDATE
                    SET views = EXCLUDED.views, last_counted_at = EXCLUDED.last_counted_at
                """,
                [days, readers, seen, last],
            )
    return counted, {key: state[key] for key in overruled}


def _upsert_counts(rows: list[tuple[int, date, int, int]]) -> None:
    daily, totals = DailyView._meta.db_table, ArticleTotal._meta.db_table
    article_ids, days, views, readers = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {daily} AS d (article_id, day, views, unique_readers)
            SELECT * FROM unnest(%s::bigint[], %s::date[], %s::bigint[], %s::bigint[])
            ON CONFLICT (article_id, day) DO UPDATE
                SET views = d.views + EXCLUDED.views,
                    unique_readers = d.unique_readers + EXCLUDED.unique_readers
            """,
            [article_ids, days, views, readers],
        )
        cursor.execute(
            f"""
            INSERT INTO {totals} AS t (article_id, views)
            SELECT article_id, sum(views)
            FROM unnest(%s::bigint[], %s::bigint[]) AS u(article_id, views)
            GROUP BY article_id
            ON CONFLICT (article_id) DO UPDATE SET views = t.views + EXCLUDED.views
            """,
            [article_ids, views],
        )


def _upsert_agent_counts(rows: list[tuple[int, date, str, int]]) -> None:
    article_ids, days, agents, views = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {DailyAgentView._meta.db_table} AS g (article_id, day, agent, views)
            SELECT * FROM unnest(%s::bigint[], %s::date[], %s::varchar[], %s::bigint[])
            ON CONFLICT (article_id, day, agent) DO UPDATE SET views = g.views + EXCLUDED.views
            """,
            [article_ids, days, agents, views],
        )


# --- Read depth -----------------------------------------------------------------------


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
    now: datetime | None = None,
) -> bool:
    """Keep one reader's read-depth report; False (nothing written) when this reader already
    reported with a token of that day for this article.

    `sections` are the article's top-level sections now; the reader reached the first
    `deepest` of them (all of them when `complete`). One transaction: the seen-set row and
    the aggregates are written together or not at all.
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
    reached = sections[:deepest]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {seen} (day, reader) VALUES (%s, %s) "
            "ON CONFLICT (day, reader) DO NOTHING RETURNING 1",
            [day, reader],
        )
        if cursor.fetchone() is None:
            return False
        cursor.execute(
            f"""
            INSERT INTO {days} AS d (article_id, day, readers, completions)
            VALUES (%s, %s, 1, %s)
            ON CONFLICT (article_id, day) DO UPDATE
                SET readers = d.readers + 1, completions = d.completions + EXCLUDED.completions
            """,
            [article_id, day, int(complete)],
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
    return True
