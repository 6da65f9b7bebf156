"""Least read: published articles that few readers open, or few finish, for their age.

The rule, as the dashboard states it: articles published at least LEAST_READ_MIN_AGE_DAYS
before the period ends (a launch week is not judged); their unique readers in the period
divided by the days of it they were published (an article published mid-period is not
held against the days before it); the LEAST_READ_SHOWN with the fewest readers a day, then
the LEAST_READ_SHOWN with the lowest completion among those with at least
LEAST_READ_MIN_REPORTS read-depth reports in the period (so two readers who stopped early
do not make an article "least finished"); each only below the median of the articles
judged, so a small site's well-read articles are never listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from articles.models import Article

from .analysis import Period
from .breakdowns import NO_FILTERS, Filters
from .closed_days import closed_days_cached, period_split
from .expressions import big_sum, int_array
from .models import ReadDepthDay
from .statistics import RankedArticle

LEAST_READ_MIN_AGE_DAYS = 14
LEAST_READ_MIN_REPORTS = 20
LEAST_READ_SHOWN = 5  # of each kind

FEWEST_READERS = "Fewest readers a day"
LOWEST_COMPLETION = "Lowest completion"


@dataclass(frozen=True)
class LeastRead:
    article_id: int
    title: str
    published_at: datetime
    days: int  # days of the period it was published
    readers: int  # unique readers in the period
    depth_readers: int  # read-depth reports in the period
    completions: int
    reason: str = ""  # FEWEST_READERS or LOWEST_COMPLETION on the dashboard; blank in the CSV

    @property
    def readers_a_day(self) -> float:
        return self.readers / self.days

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.depth_readers * 100 if self.depth_readers else None


def least_read(
    *,
    period: Period,
    ranking: Sequence[RankedArticle],
    filters: Filters = NO_FILTERS,
    limit: int | None = LEAST_READ_SHOWN,
) -> list[LeastRead]:
    """The dashboard's list (see the module's rule): the fewest readers a day first, then
    the lowest completion. `ranking` is the period's (stats_article_ranking) with the same
    `filters`: its unique readers are reused, not read again; a tag also narrows the
    articles judged (the others narrow only the readers: an article no reader from there
    opened is 0 readers a day from there). With `limit=None`: every article the rule judges,
    fewest readers a day first (the CSV). One query, and one more for the read depth of the
    period's ended days when it is not kept (closed_days.py)."""
    articles = Article.objects.published().filter(
        published_at__date__lte=period.end - timedelta(days=LEAST_READ_MIN_AGE_DAYS)
    )
    if filters.tag:
        articles = articles.filter(tags__slug=filters.tag)
    published = articles.order_by().values("id", "title", "published_at")
    published_sql, published_params = published.query.sql_with_params()
    depth_sql, depth_params = _depth_sums(period)
    columns = "id, title, published_at, days, u, dr, dc"
    judged = f"""
        WITH r AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS r(article_id, u)),
        d AS ({depth_sql}),
        s AS (
            SELECT a.id, a.title, a.published_at,
                %s::date - greatest(%s::date, (a.published_at AT TIME ZONE %s)::date) + 1
                    AS days,
                coalesce(r.u, 0) AS u, coalesce(d.r, 0) AS dr, coalesce(d.c, 0) AS dc
            FROM ({published_sql}) AS a
            LEFT JOIN r ON r.article_id = a.id
            LEFT JOIN d ON d.article_id = a.id
        )
    """
    params: list = [
        int_array(item.article_id for item in ranking),
        int_array(item.unique_readers for item in ranking),
        *depth_params,
        period.end,
        period.start,
        timezone.get_current_timezone_name(),
        *published_params,
    ]
    if limit is None:
        sql = f"{judged} SELECT {columns} FROM s ORDER BY u::float8 / days, id"
    else:
        # Below the site's median only: on a small site the five "fewest" would otherwise
        # name articles that are read as well as most.
        sql = f"""{judged},
            m AS (
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY u::float8 / days) AS rd,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY dc::float8 / dr)
                        FILTER (WHERE dr >= %s) AS cr
                FROM s
            )
            (SELECT {columns}, 1 FROM s, m WHERE u::float8 / days < m.rd
             ORDER BY u::float8 / days, id LIMIT %s)
            UNION ALL
            (SELECT {columns}, 2 FROM s, m WHERE dr >= %s AND dc::float8 / dr < m.cr
             ORDER BY dc::float8 / dr, u::float8 / days, id LIMIT %s)
        """
        params += [LEAST_READ_MIN_REPORTS, limit, LEAST_READ_MIN_REPORTS, limit * 2]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if limit is None:
        return [_item(row) for row in rows]
    fewest = [_item(row, FEWEST_READERS) for *row, kind in rows if kind == 1]
    listed = {item.article_id for item in fewest}
    unfinished = [
        _item(row, LOWEST_COMPLETION) for *row, kind in rows if kind == 2 and row[0] not in listed
    ]
    return fewest + unfinished[:limit]


def _item(row: Sequence, reason: str = "") -> LeastRead:
    article_id, title, published_at, days, readers, depth_readers, completions = row
    return LeastRead(
        article_id, title, published_at, days, readers, depth_readers, completions, reason
    )


def _depth_sums(period: Period) -> tuple[str, tuple]:
    """SQL of each article's read-depth sums in the period, (article_id, r, c): those of its
    ended days kept (closed_days.py) as arrays, today's rows added."""
    table = ReadDepthDay._meta.db_table
    closed, live = period_split(period, today=timezone.localdate())
    kept = ("{}", "{}", "{}")
    if closed is not None:
        kept = closed_days_cached("depth", closed, lambda: _closed_depth_sums(closed))
    # No days from today on: a span that holds none.
    live_span = (live.start, live.end) if live else (period.end + timedelta(days=1), period.end)
    return (
        f"SELECT article_id, sum(r)::bigint AS r, sum(c)::bigint AS c FROM ("
        f"SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS k(article_id, r, c) "
        f"UNION ALL SELECT article_id, readers, completions FROM {table} "
        f"WHERE day BETWEEN %s AND %s) AS s GROUP BY article_id",
        (*kept, *live_span),
    )


def _closed_depth_sums(closed: Period) -> tuple[str, str, str]:
    """Each article's read-depth sums over `closed` as three array literals (ids, readers,
    completions): small to keep, and read back by the array type's input at once."""
    rows = list(
        ReadDepthDay.objects.filter(day__range=(closed.start, closed.end))
        .order_by()
        .values("article_id")
        .annotate(r=big_sum("readers"), c=big_sum("completions"))
        .values_list("article_id", "r", "c")
    )
    ids, readers, completions = (int_array(row[i] for row in rows) for i in range(3))
    return ids, readers, completions
