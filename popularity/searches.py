"""What readers searched for: the owners' "Content gaps" panel and, per article, the
searches that lead to it (DailySearch and DailySearchOpen, counted by counting/searches.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils.http import urlencode

from articles.models import Article

from .analysis import Period
from .export import safe_cell
from .models import DailySearch, DailySearchOpen

GAPS_SHOWN = 20
ARTICLE_SEARCHES_SHOWN = 10
GAPS_CSV_HEADER = ["query", "searches", "most results found", "results opened", "gap"]
ARTICLE_SEARCHES_CSV_HEADER = ["query", "results opened", "mean position"]


@dataclass(frozen=True)
class ContentGap:
    query: str
    searches: int
    results: int  # the most articles any day's search for it found in the period
    #: An article titled as the query that readers cannot find yet (a draft, scheduled):
    #: the gap is being filled, so the panel links to it instead of starting another.
    underway_id: int | None = None

    @property
    def underway_url(self) -> str:
        return reverse("admin:articles_article_change", args=[self.underway_id])

    @property
    def reason(self) -> str:
        return "No result" if self.results == 0 else "Nothing opened"

    @property
    def write_url(self) -> str:
        """The article admin's add form, titled with the query: a new draft."""
        title = self.query[:1].upper() + self.query[1:]
        return f"{reverse('admin:articles_article_add')}?{urlencode({'title': title})}"


@dataclass(frozen=True)
class ArticleSearch:
    query: str
    opened: int
    position_sum: int

    @property
    def mean_position(self) -> float:
        return self.position_sum / self.opened if self.opened else 0.0


def content_gaps(*, period: Period, limit: int | None = GAPS_SHOWN) -> list[ContentGap]:
    """Searches in the period from which readers opened no result (none found, or none
    chosen), the most made first. One query."""
    underway = Article.objects.filter(title__iexact=OuterRef("query")).exclude(
        pk__in=Article.objects.published().values("pk")
    )
    rows = (
        DailySearch.objects.filter(day__range=(period.start, period.end))
        .values("query")
        .annotate(total=Sum("searches"), most=Max("results"), opened_total=Sum("opened"))
        .filter(opened_total=0)
        .annotate(underway=Subquery(underway.order_by("-pk").values("pk")[:1]))
        .order_by("-total", "query")
        .values_list("query", "total", "most", "underway")
    )
    if limit is not None:
        rows = rows[:limit]
    return [ContentGap(query=q, searches=n, results=r, underway_id=u) for q, n, r, u in rows]


def article_searches(
    *, period: Period, article_id: int, limit: int | None = ARTICLE_SEARCHES_SHOWN
) -> list[ArticleSearch]:
    """The searches whose readers opened this article most often in the period. One query."""
    rows = (
        DailySearchOpen.objects.filter(day__range=(period.start, period.end), article_id=article_id)
        .values("query")
        .annotate(total=Sum("opened"), positions=Sum("position_sum"))
        .order_by("-total", "query")
        .values_list("query", "total", "positions")
    )
    if limit is not None:
        rows = rows[:limit]
    return [ArticleSearch(query=q, opened=n, position_sum=p) for q, n, p in rows]


def gap_csv_row(gap: ContentGap) -> list[str]:
    return [safe_cell(gap.query), str(gap.searches), str(gap.results), "0", gap.reason]


def article_search_csv_row(item: ArticleSearch) -> list[str]:
    return [safe_cell(item.query), str(item.opened), f"{item.mean_position:.1f}"]
