"""Recording one served article page under the counting rule (see rule.py)."""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime

from django.db import connection
from django.utils import timezone

from ..models import ArticleTotal, DailyAgentView, DailyView, ReaderDay
from .buffer import get_buffer
from .rule import CountingRule, agent_counted, reader_hash
from .salts import salt_for_day

logger = logging.getLogger(__name__)


def view_record(*, article_id: int, ip: str, user_agent: str, now: datetime | None = None) -> bool:
    """Count one served article page; True when it counted under the counting rule.

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
    # Raw SQL: the ORM has no single statement that upserts into four tables, each insert
    # reading what the one before RETURNed, nor an upsert that adds to the stored count.
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
