"""The flush's share of the origin breakdown (DailyOrigin): which row each counted view
goes to under POPULARITY_MAX_ORIGINS_PER_DAY, decided for a whole batch, written in one
statement. The one-view path (record.py) applies the same bound in its own statement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from ..models import DailyOrigin, DailyView, SiteDailyOrigin
from .origin import ORIGIN_KEY_FIELDS, OTHER_KEY, OriginKey

# (article, day): one article's day, the unit the bound applies to.
ArticleDay = tuple[int, date]


@dataclass
class DayOrigins:
    """What an article's day already holds: its counter and its stored combinations."""

    counter: int = 0
    known: set[OriginKey] = field(default_factory=set)


def origins_assign(
    views: Iterable[tuple[ArticleDay, OriginKey, bool]],
    *,
    state: dict[ArticleDay, DayOrigins],
    limit: int,
) -> dict[tuple[ArticleDay, OriginKey], list[int]]:
    """[(article day, key, is a new reader)] in the order seen → {(article day, row key):
    [views, readers]}. A key not stored yet gets a row of its own while the day has fewer
    than `limit` - 1; then new keys go to the Other row, and the counter says full (`limit`).
    `state` is updated in place, as the one-view statement updates DailyView.origins."""
    tallies: dict[tuple[ArticleDay, OriginKey], list[int]] = {}
    for article_day, key, new_reader in views:
        day = state.setdefault(article_day, DayOrigins())
        if key not in day.known:
            if day.counter < limit - 1:
                day.counter += 1
                day.known.add(key)
            else:
                day.counter = limit
                key = OTHER_KEY
        slot = tallies.setdefault((article_day, key), [0, 0])
        slot[0] += 1
        slot[1] += int(new_reader)
    return tallies


def origins_state(article_days: set[ArticleDay]) -> dict[ArticleDay, DayOrigins]:
    """The counters and stored keys of these article days. The flush reads them inside its
    lock on the reader-days, which the one-view path also takes: nothing moves meanwhile."""
    if not article_days:
        return {}
    articles = [a for a, _ in sorted(article_days)]
    days = [d for _, d in sorted(article_days)]
    state: dict[ArticleDay, DayOrigins] = {}
    columns = ", ".join(f"o.{name}" for name in ORIGIN_KEY_FIELDS)
    with connection.cursor() as cursor:
        # Raw SQL: the ORM cannot join an unnest() of (article, day) pairs.
        cursor.execute(
            f"""
            SELECT k.article_id, k.day, d.origins
            FROM unnest(%s::bigint[], %s::date[]) AS k(article_id, day)
            JOIN {DailyView._meta.db_table} AS d USING (article_id, day)
            """,
            [articles, days],
        )
        for article_id, day, counter in cursor:
            state[(article_id, day)] = DayOrigins(counter=counter)
        cursor.execute(
            f"""
            SELECT k.article_id, k.day, {columns}
            FROM unnest(%s::bigint[], %s::date[]) AS k(article_id, day)
            JOIN {DailyOrigin._meta.db_table} AS o USING (article_id, day)
            """,
            [articles, days],
        )
        for article_id, day, *key in cursor:
            state.setdefault((article_id, day), DayOrigins()).known.add(tuple(key))
    return state


def origins_upsert(tallies: dict[tuple[ArticleDay, OriginKey], list[int]]) -> None:
    """Add the tallies to their rows, and their sums over the articles to the site's rows:
    one statement (raw SQL: the ORM's upsert can only overwrite a count, never add to it,
    and cannot feed one insert from another)."""
    if not tallies:
        return
    rows = [(a, d, *key, v, u) for ((a, d), key), (v, u) in sorted(tallies.items())]
    columns = list(zip(*rows, strict=True))
    names = ", ".join(ORIGIN_KEY_FIELDS)
    casts = ", ".join(["%s::varchar[]"] * len(ORIGIN_KEY_FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH tally AS (
                SELECT * FROM unnest(%s::bigint[], %s::date[], {casts}, %s::bigint[], %s::bigint[])
                    AS t(article_id, day, {names}, views, unique_readers)
            ), article_rows AS (
                INSERT INTO {DailyOrigin._meta.db_table} AS o
                    (article_id, day, {names}, views, unique_readers)
                SELECT * FROM tally
                ON CONFLICT (article_id, day, {names}) DO UPDATE
                    SET views = o.views + EXCLUDED.views,
                        unique_readers = o.unique_readers + EXCLUDED.unique_readers
            )
            INSERT INTO {SiteDailyOrigin._meta.db_table} AS s (day, {names}, views, unique_readers)
            SELECT day, {names}, sum(views), sum(unique_readers) FROM tally
            GROUP BY day, {names}
            ORDER BY day, {names}
            ON CONFLICT (day, {names}) DO UPDATE
                SET views = s.views + EXCLUDED.views,
                    unique_readers = s.unique_readers + EXCLUDED.unique_readers
            """,
            [list(column) for column in columns],
        )
