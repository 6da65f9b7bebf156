"""Reading paths ("read A, then B", DailyPath, counted by counting/record.py and the flush):
per article, where its readers came from and what they read next; site-wide, the pairs
that happen most; and each article's onward rate.

Paths are counted for every reader: they have no source, device or country, so the
dashboard's filters cannot narrow them (the pages say so).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef, Subquery, Sum

from articles.models import Article

from .analysis import Period
from .expressions import big_sum
from .models import DailyPath, DailyView

PATHS_SHOWN = 10
PAIRS_SHOWN = 10


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
    """The pairs "read A, then B" with most readers in the period. Two queries: the period's
    paths summed from the day index alone, then the titles of the top pairs only."""
    summed = (
        DailyPath.objects.filter(day__range=(period.start, period.end))
        .order_by()
        .values("from_article", "to_article")
        .annotate(n=Sum("readers"))
        .order_by("-n", "from_article", "to_article")
    )
    if limit is not None:
        summed = summed[:limit]
    pairs = list(summed.values_list("from_article", "to_article", "n"))
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
