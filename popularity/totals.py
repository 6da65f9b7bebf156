"""Each article's own view totals, for lists of articles (the editors' change list)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article

from .expressions import big_sum
from .models import DailyView

if TYPE_CHECKING:  # a development tool's type, for mypy only
    from django_stubs_ext import WithAnnotations


class ViewTotals(TypedDict):
    views_7d: int
    views_total: int


def annotate_view_totals(
    queryset: QuerySet[Article], *, today: date | None = None
) -> QuerySet[WithAnnotations[Article, ViewTotals]]:
    """Add `views_7d` and `views_total` to an article queryset (sortable, no N+1).

    The 7-day figure is an indexed range read per article on the (article, day) key.
    """
    today = today or timezone.localdate()
    week = (
        DailyView.objects.filter(
            article=OuterRef("pk"), day__gte=today - timedelta(days=6), day__lte=today
        )
        .values("article")
        .annotate(total=big_sum("views"))
        .values("total")
    )
    return queryset.annotate(
        views_7d=Coalesce(Subquery(week, output_field=BigIntegerField()), 0),
        views_total=Coalesce(F("view_total__views"), 0),
    )


def article_view_totals(*, article_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{article id: (views in the last 7 days, views of all time)} in one query."""
    rows = annotate_view_totals(Article.objects.filter(pk__in=article_ids).only("pk"))
    return {row.pk: (row.views_7d, row.views_total) for row in rows}
