"""Moving the views buffered in Redis into PostgreSQL, each batch exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article

from ..closed_days import closed_days_changed
from ..models import ArticleTotal, DailyAgentView, DailyPath, DailyView, FlushedBatch, ReaderDay
from .breakdown import origins_assign, origins_state, origins_upsert
from .buffer import BufferedBatch, BufferedView, get_buffer
from .origin import origin_key, platform_of
from .rule import CountingRule, ReaderKey, ReaderState, rule_apply


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
    overruled: dict[ReaderKey, ReaderState]


def _apply_batch(batch: BufferedBatch, *, rule: CountingRule) -> AppliedBatch | None:
    """Write one batch; None when an earlier flush already wrote it."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Raw SQL: the ORM cannot insert-if-absent and say whether it inserted in one
        # statement (bulk_create(ignore_conflicts=True) does not tell), and a read first
        # would let two flushes both see the batch as new.
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
        breakdown = [
            ((view.article_id, view.day), origin_key(view.origin, platform_of(view.agent)), new)
            for view, new in counted
            if view.origin is not None
        ]
        origin_state = origins_state({article_day for article_day, _, _ in breakdown})
        origin_tallies = origins_assign(
            breakdown, state=origin_state, limit=settings.POPULARITY_MAX_ORIGINS_PER_DAY
        )
        for view, new_reader in counted:
            slot = counts.setdefault((view.article_id, view.day), [0, 0])
            slot[0] += 1
            slot[1] += new_reader
            key = (view.article_id, view.day, view.agent)
            agents[key] = agents.get(key, 0) + 1
        if counts:
            _upsert_counts(
                [
                    (a, d, v, u, origin_state[(a, d)].counter if (a, d) in origin_state else 0)
                    for (a, d), (v, u) in counts.items()
                ]
            )
        origins_upsert(origin_tallies)
        # "Read A, then B": a reader's first counted view of B that day, linked from A.
        paths = Counter(
            (view.from_article_id, view.day, view.article_id)
            for view, new_reader in counted
            if new_reader and view.from_article_id not in (None, view.article_id)
        )
        if paths:
            paths_upsert([(a, d, b, n) for (a, d, b), n in paths.items()])
        if agents:
            _upsert_agent_counts([(a, d, g, v) for (a, d, g), v in agents.items()])
        # A batch buffered before midnight: the sums kept of the ended days are out of date.
        if any(day < timezone.localdate() for _, day in counts):
            transaction.on_commit(closed_days_changed)
    return AppliedBatch(views=sum(v for v, _ in counts.values()), overruled=overruled)


def _reader_days_decide(
    views: list[BufferedView], *, rule: CountingRule
) -> tuple[list[tuple[BufferedView, bool]], dict[ReaderKey, ReaderState]]:
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
        # Raw SQL: the ORM has no LOCK TABLE.
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        # Raw SQL: the ORM's pk__in=[(day, reader), …] takes two parameters per reader, and
        # a busy minute's batch can hold more than PostgreSQL's 65,535; two arrays are two.
        cursor.execute(
            f"""
            SELECT r.day, r.reader, r.views, r.last_counted_at
            FROM {table} AS r
            JOIN unnest(%s::date[], %s::bigint[]) AS k(day, reader) USING (day, reader)
            """,
            [[day for day, _ in keys], [reader for _, reader in keys]],
        )
        state = {(day, reader): (seen, last) for day, reader, seen, last in cursor.fetchall()}
    verdicts = rule_apply(views, state=state, rule=rule)
    # Each reader's latest view, a counted one when there is one (views come in the order
    # they were buffered): its article and source are what "right now" reads.
    latest = {(view.day, view.reader): view for view in views}
    latest.update({(view.day, view.reader): view for view, _ in verdicts.counted})
    if verdicts.changed:
        ReaderDay.objects.bulk_create(
            [
                ReaderDay(
                    day=day,
                    reader=reader,
                    views=seen,
                    last_counted_at=last,
                    article_id=latest[(day, reader)].article_id,
                    source=_source(latest[(day, reader)]),
                )
                for (day, reader), (seen, last) in sorted(
                    (key, verdicts.state[key]) for key in verdicts.changed
                )
            ],
            update_conflicts=True,
            unique_fields=["day", "reader"],
            update_fields=["views", "last_counted_at", "article_id", "source"],
        )
    return verdicts.counted, {key: verdicts.state[key] for key in verdicts.overruled}


def _source(view: BufferedView) -> str:
    return view.origin.source if view.origin is not None else ""


# Raw SQL in the two upserts below: the ORM's bulk_create(update_conflicts=True) can only
# overwrite a stored count with the new one (EXCLUDED), never add to it.


def _upsert_counts(rows: list[tuple[int, date, int, int, int]]) -> None:
    """(article, day, views, readers, origins counter as breakdown.origins_assign left it)."""
    daily, totals = DailyView._meta.db_table, ArticleTotal._meta.db_table
    article_ids, days, views, readers, origins = (
        list(column) for column in zip(*rows, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {daily} AS d (article_id, day, views, unique_readers, origins)
            SELECT * FROM unnest(%s::bigint[], %s::date[], %s::bigint[], %s::bigint[], %s::int[])
            ON CONFLICT (article_id, day) DO UPDATE
                SET views = d.views + EXCLUDED.views,
                    unique_readers = d.unique_readers + EXCLUDED.unique_readers,
                    origins = GREATEST(d.origins, EXCLUDED.origins)
            """,
            [article_ids, days, views, readers, origins],
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


def paths_upsert(rows: Sequence[tuple[int | None, date, int, int]]) -> None:
    """(from article, day, to article, readers): one statement, however many pairs. The
    join drops a first article deleted since (the second was checked with the batch)."""
    from_ids, days, to_ids, readers = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {DailyPath._meta.db_table} AS p
                (from_article_id, day, to_article_id, readers)
            SELECT u.from_article_id, u.day, u.to_article_id, u.readers
            FROM unnest(%s::bigint[], %s::date[], %s::bigint[], %s::bigint[])
                AS u(from_article_id, day, to_article_id, readers)
            JOIN {Article._meta.db_table} AS a ON a.id = u.from_article_id
            ON CONFLICT (from_article_id, day, to_article_id) DO UPDATE
                SET readers = p.readers + EXCLUDED.readers
            """,
            [from_ids, days, to_ids, readers],
        )
