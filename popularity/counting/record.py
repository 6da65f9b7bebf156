"""Recording one served article page under the counting rule (see rule.py)."""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article

from ..closed_days import closed_days_changed
from ..models import (
    ArticleTotal,
    DailyAgentView,
    DailyOrigin,
    DailyPath,
    DailyView,
    ReaderDay,
    SiteDailyOrigin,
)
from .buffer import get_buffer
from .origin import ORIGIN_KEY_FIELDS, OTHER_KEY, Origin, OriginKey, origin_key, platform_of
from .rule import CountingRule, agent_counted, reader_hash
from .salts import salt_for_day

logger = logging.getLogger(__name__)


def view_record(
    *,
    article_id: int,
    ip: str,
    user_agent: str,
    origin: Origin | None = None,
    from_article_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Count one served article page; True when it counted under the counting rule.

    With REDIS_URL the view goes to the Redis buffer, and the flush decides against the
    reader-days in PostgreSQL; if Redis fails it is decided and counted in PostgreSQL at once.
    Both paths decide by the same rows, so an outage neither loses a view nor counts one twice.
    `origin` (where the view came from) is counted with it; the address never is.
    `from_article_id`: the article whose page linked here (its referrer), counted as the
    path "read A, then B" on the reader's first counted view of this article that day.
    """
    now = now or timezone.now()
    origin = origin or Origin()
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
                origin=origin,
                from_article_id=from_article_id,
                at=now,
                repeat_after=rule.repeat_after,
                max_views=rule.max_views,
            )
        except buffer.errors:
            logger.warning("popularity: Redis buffer failed, counting in PostgreSQL", exc_info=True)
    return _record_in_database(
        article_id=article_id,
        day=day,
        reader=reader,
        agent=agent,
        key=origin_key(origin, platform_of(agent)),
        from_article_id=from_article_id,
        rule=rule,
        now=now,
    )


@functools.cache
def _record_sql() -> str:
    readers, daily, totals, agents, origins, site, paths = (
        m._meta.db_table
        for m in (
            ReaderDay,
            DailyView,
            ArticleTotal,
            DailyAgentView,
            DailyOrigin,
            SiteDailyOrigin,
            DailyPath,
        )
    )
    articles = Article._meta.db_table
    columns = ", ".join(ORIGIN_KEY_FIELDS)
    # Raw SQL: the ORM has no single statement that upserts into seven tables, each insert
    # reading what the one before RETURNed, nor an upsert that adds to the stored count.
    # One statement, so one round trip and all-or-nothing: the seen-set decides whether the
    # view counts (and whether it is a new reader); each upsert adds atomically, so
    # concurrent requests can never lose an update. Its transaction does not wait for the
    # disk flush (synchronous_commit off, for this statement only): a page view is worth
    # about a millisecond less than that wait, and a database crash (not a restart) can
    # lose at most the last fraction of a second of counts, never corrupt them. The agent
    # and origin counts read `seen` like the daily one, so they move only when it counted.
    #
    # The origin bound: the daily row's upsert locks that row, so concurrent views of one
    # article and day take their turn there, and `origins` is read as the last one left it.
    # A combination not yet stored takes a row of its own while fewer than the limit - 1
    # exist (the counter then says "full" with the limit itself); later new ones go to the
    # shared Other row. `known` reads the statement's snapshot: a combination another
    # request has just stored looks new and costs the counter one more, which can only keep
    # the rows under the limit, never above it. The site's row adds the same view under the
    # key the article's row got (its own, or Other), which that upsert RETURNs.
    #
    # The path "read A, then B": on the reader's first counted view of B that day, when the
    # referrer was article A; the join drops an A deleted meanwhile (and a NULL A: no path).
    return f"""
    SET LOCAL synchronous_commit TO OFF;
    WITH seen AS (
        INSERT INTO {readers} AS r (day, reader, views, last_counted_at, article_id, source)
        VALUES (%(day)s, %(reader)s, 1, %(now)s, %(article_id)s, %(source)s)
        ON CONFLICT (day, reader) DO UPDATE
            SET views = r.views + 1, last_counted_at = EXCLUDED.last_counted_at,
                article_id = EXCLUDED.article_id, source = EXCLUDED.source
            WHERE r.views < %(max_views)s AND r.last_counted_at <= %(repeat_cutoff)s
        RETURNING (r.views = 1)::int AS new_reader
    ), known AS (
        SELECT EXISTS (
            SELECT 1 FROM {origins}
            WHERE article_id = %(article_id)s AND day = %(day)s
              AND ({columns}) = (%(source)s, %(medium)s, %(campaign)s, %(device)s,
                                 %(browser)s, %(os)s, %(country)s)
        ) AS known
    ), daily AS (
        INSERT INTO {daily} AS d (article_id, day, views, unique_readers, origins)
        SELECT %(article_id)s, %(day)s, 1, new_reader, 1 FROM seen
        ON CONFLICT (article_id, day) DO UPDATE
            SET views = d.views + 1, unique_readers = d.unique_readers + EXCLUDED.unique_readers,
                origins = CASE
                    WHEN (SELECT known FROM known) THEN d.origins
                    WHEN d.origins < %(max_origins)s - 1 THEN d.origins + 1
                    ELSE %(max_origins)s END
        RETURNING (SELECT known FROM known) OR d.origins < %(max_origins)s AS own
    ), agent AS (
        INSERT INTO {agents} AS g (article_id, day, agent, views)
        SELECT %(article_id)s, %(day)s, %(agent)s, 1 FROM seen
        ON CONFLICT (article_id, day, agent) DO UPDATE SET views = g.views + 1
    ), origin AS (
        INSERT INTO {origins} AS o (article_id, day, {columns}, views, unique_readers)
        SELECT %(article_id)s, %(day)s, k.source, k.medium, k.campaign, k.device, k.browser,
               k.os, k.country, 1, seen.new_reader
        FROM seen, daily,
             (VALUES (true, %(source)s, %(medium)s, %(campaign)s, %(device)s, %(browser)s,
                      %(os)s, %(country)s),
                     (false, %(other_source)s, '', '', %(other_device)s, %(other_family)s,
                      %(other_family)s, '')
             ) AS k(own, {columns})
        WHERE k.own = daily.own
        ON CONFLICT (article_id, day, {columns}) DO UPDATE
            SET views = o.views + 1, unique_readers = o.unique_readers + EXCLUDED.unique_readers
        RETURNING {columns}
    ), site AS (
        INSERT INTO {site} AS s (day, {columns}, views, unique_readers)
        SELECT %(day)s, {", ".join(f"origin.{c}" for c in ORIGIN_KEY_FIELDS)}, 1, seen.new_reader
        FROM origin, seen
        ON CONFLICT (day, {columns}) DO UPDATE
            SET views = s.views + 1, unique_readers = s.unique_readers + EXCLUDED.unique_readers
    ), path AS (
        INSERT INTO {paths} AS p (from_article_id, day, to_article_id, readers)
        SELECT a.id, %(day)s, %(article_id)s, 1
        FROM seen JOIN {articles} AS a ON a.id = %(from_article_id)s
        WHERE seen.new_reader = 1
        ON CONFLICT (from_article_id, day, to_article_id) DO UPDATE
            SET readers = p.readers + 1
    )
    INSERT INTO {totals} AS t (article_id, views)
    SELECT %(article_id)s, 1 FROM daily
    ON CONFLICT (article_id) DO UPDATE SET views = t.views + 1
    RETURNING 1
    """


def _record_in_database(
    *,
    article_id: int,
    day: date,
    reader: int,
    agent: str,
    key: OriginKey,
    from_article_id: int | None,
    rule: CountingRule,
    now: datetime,
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
                "max_origins": settings.POPULARITY_MAX_ORIGINS_PER_DAY,
                **dict(zip(ORIGIN_KEY_FIELDS, key, strict=True)),
                "other_source": OTHER_KEY[0],
                "other_device": OTHER_KEY[3],
                "other_family": OTHER_KEY[4],
                "from_article_id": from_article_id if from_article_id != article_id else None,
            },
        )
        counted = cursor.fetchone() is not None
    if counted and day < timezone.localdate():  # a view of a day that has ended since
        transaction.on_commit(closed_days_changed)
    return counted
