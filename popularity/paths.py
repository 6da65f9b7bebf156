"""Reading paths ("read A, then B", DailyPath, counted by counting/record.py and the flush):
per article, where its readers came from and what they read next; site-wide, the pairs
that happen most; and each article's onward rate.

Paths are counted for every reader: they have no source, device or country, so the
dashboard's filters cannot narrow them (the pages say so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import F, OuterRef, Subquery, Sum
from django.utils import timezone

from articles.models import Article

from .analysis import Period
from .closed_days import closed_days_cached, period_split
from .expressions import big_sum, int_array
from .models import DailyPath, DailyView

PATHS_SHOWN = 10
PAIRS_SHOWN = 10
#: Pairs of the period's ended days kept for the dashboard (closed_days.py): a pair below
#: them reaches the top only with as many readers today as it lacked, and is looked up.
PAIRS_KEPT = 100


@dataclass(frozen=True)
class PathArticle:
    """The other end of an article's paths: where its readers came from, or went next."""

    article_id: int
    title: str
    slug: str
    readers: int


@dataclass(frozen=True)
class PathPair:
    from_id: int
    from_title: str
    from_slug: str
    to_id: int
    to_title: str
    to_slug: str
    readers: int


@dataclass(frozen=True)
class ArticlePaths:
    came_from: list[PathArticle]
    read_next: list[PathArticle]


@dataclass(frozen=True)
class Onward:
    """Of an article's readers in the period, how many followed a link to another article."""

    readers: int  # the article's unique readers, all sources
    went_on: int

    @property
    def rate(self) -> float | None:
        """Percent, at most 100 (a reader who opened two articles from it counts twice)."""
        if not self.readers:
            return None
        return min(100.0, self.went_on / self.readers * 100)


def _ends(
    *, period: Period, article_id: int, came_from: bool, limit: int | None
) -> list[PathArticle]:
    rows = DailyPath.objects.filter(day__range=(period.start, period.end))
    if came_from:
        rows, other = rows.filter(to_article_id=article_id), "from_article"
    else:
        rows, other = rows.filter(from_article_id=article_id), "to_article"
    summed = (
        rows.order_by()
        .values(other)
        .annotate(n=Sum("readers"), title=F(f"{other}__title"), slug=F(f"{other}__slug"))
        .order_by("-n", other)
        .values_list(other, "title", "slug", "n")
    )
    if limit is not None:
        summed = summed[:limit]
    return [PathArticle(*row) for row in summed]


def article_paths(
    *, period: Period, article_id: int, limit: int | None = PATHS_SHOWN
) -> ArticlePaths:
    """The articles this one's readers came from and went on to in the period, most readers
    first (ties: the older article). Two queries, each from an index on its end."""
    return ArticlePaths(
        came_from=_ends(period=period, article_id=article_id, came_from=True, limit=limit),
        read_next=_ends(period=period, article_id=article_id, came_from=False, limit=limit),
    )


def top_pairs(*, period: Period, limit: int | None = PAIRS_SHOWN) -> list[PathPair]:
    """The pairs "read A, then B" with most readers in the period (ties: the older pairs).

    With a `limit` (the dashboard), the top PAIRS_KEPT pairs of the period's ended days are
    kept (closed_days.py) and today's rows added to them in one query, with the titles;
    without one (the CSV), or when pairs not kept could tie with the last one shown, every
    pair is summed."""
    if limit is None:
        return _titled(_pairs_summed(period))
    closed, live = period_split(period, today=timezone.localdate())
    kept_count = max(PAIRS_KEPT, limit)
    kept: list[tuple[int, int, int]] = []
    if closed is not None:
        kept = closed_days_cached("pairs", closed, lambda: _pairs_summed(closed, kept_count))
    if live is None:
        return _titled(kept[:limit])
    # What a pair not kept may have had on the ended days: at most the last one kept, or
    # nothing when every pair was.
    most_not_kept = kept[-1][2] if len(kept) == kept_count else 0
    shown, last_place = _pairs_with_today(
        kept=kept,
        most_not_kept=most_not_kept,
        closed=closed or Period(start=live.start, end=live.start - timedelta(days=1)),
        live=live,
        limit=limit,
    )
    if most_not_kept and last_place <= most_not_kept:
        # A pair not kept, not read today, could tie with the last place: sum them all.
        return _titled(_pairs_summed(period, limit))
    return shown


def _pairs_summed(period: Period, limit: int | None = None) -> list[tuple[int, int, int]]:
    """[(from, to, readers)] of the period, most readers first (ties: the older pairs),
    summed from the day index alone; with a `limit`, only that many are sorted."""
    summed = (
        DailyPath.objects.filter(day__range=(period.start, period.end))
        .order_by()
        .values("from_article", "to_article")
        .annotate(n=Sum("readers"))
        .order_by("-n", "from_article", "to_article")
        .values_list("from_article", "to_article", "n")
    )
    return list(summed if limit is None else summed[:limit])


def _pairs_with_today(
    *,
    kept: list[tuple[int, int, int]],
    most_not_kept: int,
    closed: Period,
    live: Period,
    limit: int,
) -> tuple[list[PathPair], int]:
    """The top `limit` pairs of closed + live, and the last place's readers among the kept
    pairs: the kept pairs with today's readers added, and the pairs of today that could
    reach that last place, with what they had on the ended days looked up (an index probe
    each). One query; raw SQL: the ORM cannot rank a union of grouped subqueries."""
    paths, articles = DailyPath._meta.db_table, Article._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH k AS (
                SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS k(a, b, n)
            ),
            t AS (
                SELECT from_article_id AS a, to_article_id AS b, sum(readers)::bigint AS n
                FROM {paths} WHERE day BETWEEN %s AND %s GROUP BY 1, 2
            ),
            known AS (
                SELECT k.a, k.b, k.n + coalesce(t.n, 0) AS n FROM k LEFT JOIN t USING (a, b)
            ),
            bar AS (
                SELECT coalesce((SELECT n FROM known ORDER BY n DESC OFFSET %s LIMIT 1), 0) AS n
            ),
            lifted AS (
                SELECT t.a, t.b, t.n + coalesce((
                    SELECT sum(p.readers) FROM {paths} AS p
                    WHERE p.from_article_id = t.a AND p.to_article_id = t.b
                        AND p.day BETWEEN %s AND %s
                ), 0)::bigint AS n
                FROM t
                WHERE NOT EXISTS (SELECT FROM k WHERE k.a = t.a AND k.b = t.b)
                    AND t.n + %s >= (SELECT n FROM bar)
            ),
            top AS (
                (SELECT * FROM known UNION ALL SELECT * FROM lifted) ORDER BY n DESC, a, b LIMIT %s
            )
            SELECT top.a, x.title, x.slug, top.b, y.title, y.slug, top.n, (SELECT n FROM bar)
            FROM top
            JOIN {articles} AS x ON x.id = top.a
            JOIN {articles} AS y ON y.id = top.b
            ORDER BY top.n DESC, top.a, top.b
            """,
            [
                *(int_array(pair[i] for pair in kept) for i in range(3)),
                live.start,
                live.end,
                limit - 1,
                closed.start,
                closed.end,
                most_not_kept,
                limit,
            ],
        )
        rows = cursor.fetchall()
    last_place = rows[0][-1] if rows else 0
    return [PathPair(*row[:-1]) for row in rows], last_place


def _titled(pairs: list[tuple[int, int, int]]) -> list[PathPair]:
    found = {
        pk: (title, slug)
        for pk, title, slug in Article.objects.filter(
            pk__in={pk for pair in pairs for pk in pair[:2]}
        ).values_list("pk", "title", "slug")
    }
    return [
        PathPair(a, *found[a], b, *found[b], n) for a, b, n in pairs if a in found and b in found
    ]


def article_onward(*, period: Period, article_id: int) -> Onward:
    """The article's own unique readers in the period (whatever the filters: paths have no
    source) and how many of them went on to another article. One query."""
    went_on = (
        DailyPath.objects.filter(
            from_article_id=OuterRef("article_id"), day__range=(period.start, period.end)
        )
        .order_by()
        .values("from_article")
        .annotate(n=big_sum("readers"))
        .values("n")
    )
    rows = list(
        DailyView.objects.filter(article_id=article_id, day__range=(period.start, period.end))
        .order_by()
        .values("article_id")
        .annotate(readers=big_sum("unique_readers"), went_on=Subquery(went_on))
        .values_list("readers", "went_on")
    )
    readers, went_on_count = rows[0] if rows else (0, 0)
    return Onward(readers=readers, went_on=went_on_count or 0)
