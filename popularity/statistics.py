"""Reads for the site owners' dashboard. It reports on every article that was read,
published or not any more; the analysis of the figures is in analysis.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, TaggedArticle

from .analysis import (
    DayPoint,
    Period,
    RefreshCandidate,
    change_text,
    percent_change,
    refresh_rank,
)
from .breakdowns import NO_FILTERS, Filters, counted_rows
from .expressions import big_sum
from .models import DailyView, ReadDepthDay


@dataclass(frozen=True)
class ArticleRow:
    rank: int
    article_id: int
    title: str
    slug: str
    status: str
    views: int
    unique_readers: int
    share: float  # percent of all views in the period
    previous_views: int | None  # None: no previous period to compare with
    change: float | None  # percent; None when there is no previous period or it had none
    # Percent of the period's read-depth reports that reached the end; None without reports.
    completion_rate: float | None = None

    @property
    def change_label(self) -> str:
        return change_text(self.views, self.previous_views)


@dataclass(frozen=True)
class TagRow:
    name: str
    views: int
    articles: int


def first_counted_day() -> date | None:
    return DailyView.objects.order_by("day").values_list("day", flat=True).first()


def stats_daily(
    *, period: Period, article_id: int | None = None, filters: Filters = NO_FILTERS
) -> list[DayPoint]:
    """One point per day of the period (days without views are zeros), in one query."""
    rows = counted_rows(filters=filters).filter(day__range=(period.start, period.end))
    if article_id is not None:
        rows = rows.filter(article_id=article_id)
    sums = rows.order_by().values("day").annotate(v=big_sum("views"), u=big_sum("unique_readers"))
    by_day = {row["day"]: (row["v"], row["u"]) for row in sums}
    points = []
    for offset in range(period.days):
        day = period.start + timedelta(days=offset)
        views, readers = by_day.get(day, (0, 0))
        points.append(DayPoint(day=day, views=views, unique_readers=readers))
    return points


def stats_previous_views(
    *, period: Period, article_id: int | None = None, filters: Filters = NO_FILTERS
) -> int | None:
    previous = period.previous
    if previous is None:
        return None
    rows = counted_rows(filters=filters).filter(day__range=(previous.start, previous.end))
    if article_id is not None:
        rows = rows.filter(article_id=article_id)
    total: int = rows.order_by().aggregate(total=big_sum("views"))["total"]
    return total


# The two tables below sum the daily rows per article with the ORM first (an index-only
# scan grouped on an integer) and join the few thousand sums to their articles or tags by
# hand, because the ORM cannot join a subquery in FROM. The ORM's own form joins every daily
# row first: on 1,000,000 daily rows (30 days, bench/popularity_rankings.py) the article
# table took 192 ms against 119 ms, the tags 92 ms against 29 ms.


def stats_articles(*, period: Period, filters: Filters = NO_FILTERS) -> list[ArticleRow]:
    """Every article read in the period, most views first, with the previous period beside it.

    Ties go to more unique readers, then the lower article id. One query. The completion
    rate is the article's own, whatever the filters (read depth has no source).
    """
    previous = period.previous
    current = Q(day__gte=period.start)
    sums_sql, params = (
        counted_rows(filters=filters)
        .filter(day__range=(previous.start if previous else period.start, period.end))
        .order_by()
        .values("article_id")
        .annotate(
            v=big_sum("views", filter=current),
            u=big_sum("unique_readers", filter=current),
            p=big_sum("views", filter=~current),
        )
        .filter(v__gt=0)
        .query.sql_with_params()
    )
    depth_sql, depth_params = (
        ReadDepthDay.objects.filter(day__range=(period.start, period.end))
        .order_by()
        .values("article_id")
        .annotate(r=big_sum("readers"), c=big_sum("completions"))
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.article_id, a.title, a.slug, a.status, s.v, s.u, s.p,
                   100.0 * d.c / NULLIF(d.r, 0)
            FROM ({sums_sql}) AS s JOIN {Article._meta.db_table} AS a ON a.id = s.article_id
            LEFT JOIN ({depth_sql}) AS d ON d.article_id = s.article_id
            ORDER BY s.v DESC, s.u DESC, s.article_id
            """,
            [*params, *depth_params],
        )
        rows = cursor.fetchall()
    total = sum(row[4] for row in rows)
    return [
        ArticleRow(
            rank=rank,
            article_id=article_id,
            title=title,
            slug=slug,
            status=status,
            views=views,
            unique_readers=readers,
            share=views / total * 100,
            previous_views=before if previous else None,
            change=percent_change(views, before) if previous else None,
            completion_rate=float(completed) if completed is not None else None,
        )
        for rank, (article_id, title, slug, status, views, readers, before, completed) in enumerate(
            rows, start=1
        )
    ]


def stats_tags(*, period: Period, filters: Filters = NO_FILTERS) -> list[TagRow]:
    """Tags by the views of their articles in the period (an article counts for each tag).

    Views are summed per article first, then spread over the tags: one query.
    """
    sums_sql, params = (
        counted_rows(filters=filters)
        .filter(day__range=(period.start, period.end))
        .order_by()
        .values("article_id")
        .annotate(v=big_sum("views"))
        .query.sql_with_params()
    )
    links = TaggedArticle._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.name, sum(s.v)::bigint, count(*)
            FROM ({sums_sql}) AS s
            JOIN {links.db_table} AS l ON l.content_object_id = s.article_id
            JOIN {Tag._meta.db_table} AS t ON t.id = l.tag_id
            GROUP BY t.id, t.name
            ORDER BY 2 DESC, t.name
            """,
            params,
        )
        return [TagRow(name=name, views=views, articles=n) for name, views, n in cursor]


def refresh_candidates(*, now: datetime | None = None, limit: int = 10) -> list[RefreshCandidate]:
    """Published articles read a lot lately whose text has not changed for a long time, most
    read first (analysis.refresh_rank). One query; the database applies the same thresholds
    first, so only the candidates travel."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - timedelta(days=settings.POPULARITY_REFRESH_WINDOW_DAYS - 1)
    stale_after = timedelta(days=settings.POPULARITY_REFRESH_STALE_DAYS)
    min_views = settings.POPULARITY_REFRESH_MIN_VIEWS
    recent = (
        DailyView.objects.filter(article=OuterRef("pk"), day__range=(start, today))
        .order_by()
        .values("article")
        .annotate(total=big_sum("views"))
        .values("total")
    )
    rows = (
        Article.objects.published()
        .filter(updated_at__lt=now - stale_after)
        .annotate(recent=Coalesce(Subquery(recent, output_field=BigIntegerField()), 0))
        .filter(recent__gte=min_views)
        .values_list("pk", "title", "recent", "updated_at")
    )
    return refresh_rank(
        (RefreshCandidate(*row) for row in rows),
        now=now,
        stale_after=stale_after,
        min_views=min_views,
        limit=limit,
    )
