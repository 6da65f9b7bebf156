"""Reads: Popular Posts rankings (public) and the statistics behind the owners' dashboard.

Public rankings start from Article.objects.published(); each is one indexed query, cached
briefly. The dashboard reports on every article that was read, published or not any more.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, TaggedArticle

from .models import DailyView

MINUTES_PER_DAY = 24 * 60
DECAY_SCALE = 1_000_000


class Window(models.TextChoices):
    TRENDING = "trending", "Trending"
    DAY = "24h", "Last 24 hours"
    WEEK = "7d", "Last 7 days"
    MONTH = "30d", "Last 30 days"
    ALL = "all", "All time"


@dataclass(frozen=True)
class RankedArticle:
    id: int
    title: str
    slug: str
    standfirst: str
    published_at: datetime
    # What readers see: views in the window (an estimate for 24h), none for trending.
    views: int | None

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})


def trending_weights(*, today: date) -> dict[date, int]:
    """Integer weight of each recent day: DECAY_SCALE × 0.5^(age / half-life).

    Integers keep scores exact, so equal scores tie exactly and the tie-break decides.
    """
    half_life = settings.POPULARITY_TRENDING_HALF_LIFE_DAYS
    return {
        today - timedelta(days=age): round(DECAY_SCALE * 0.5 ** (age / half_life))
        for age in range(settings.POPULARITY_TRENDING_HORIZON_DAYS)
    }


def last_24h_weights(*, now: datetime) -> dict[date, int]:
    """Daily rows cover calendar days, so the last 24 hours are today's views plus the share
    of yesterday's that falls inside them (weights in minutes)."""
    local = timezone.localtime(now)
    elapsed = local.hour * 60 + local.minute
    today = local.date()
    return {today: MINUTES_PER_DAY, today - timedelta(days=1): MINUTES_PER_DAY - elapsed}


def _weighted_views(weights: dict[date, int]) -> Sum:
    weight = Case(
        *(When(daily_views__day=day, then=Value(w)) for day, w in weights.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    return Sum(F("daily_views__views") * weight)


def ranking(*, window: Window | str, limit: int = 10, now: datetime | None = None):
    """The top `limit` published articles for `window`, in one query.

    Ties (equal score) go to the more recently published article, then the higher id.
    """
    window = Window(window)
    now = now or timezone.now()
    today = timezone.localdate(now)
    articles = Article.objects.published().only("id", "title", "slug", "standfirst", "published_at")
    if window == Window.ALL:
        articles = articles.filter(view_total__views__gt=0).annotate(score=F("view_total__views"))
    elif window in (Window.WEEK, Window.MONTH):
        days = 7 if window == Window.WEEK else 30
        articles = articles.filter(
            daily_views__day__gte=today - timedelta(days=days - 1),
            daily_views__day__lte=today,
        ).annotate(score=Sum("daily_views__views"))
    else:
        weights = (
            last_24h_weights(now=now) if window == Window.DAY else trending_weights(today=today)
        )
        articles = articles.filter(
            daily_views__day__gte=min(weights), daily_views__day__lte=today
        ).annotate(score=_weighted_views(weights))
    rows = articles.filter(score__gt=0).order_by("-score", "-published_at", "-id")[:limit]
    return [
        RankedArticle(
            id=row.id,
            title=row.title,
            slug=row.slug,
            standfirst=row.standfirst,
            published_at=row.published_at,
            views=_shown_views(window, row.score),
        )
        for row in rows
    ]


def _shown_views(window: Window, score: int) -> int | None:
    if window == Window.TRENDING:
        return None
    if window == Window.DAY:
        return max(1, round(score / MINUTES_PER_DAY))
    return score


_VERSION_KEY = "popularity:rankings:version"


def ranking_cached(*, window: Window | str, limit: int = 10) -> list[RankedArticle]:
    """ranking(), cached for POPULARITY_RANKING_CACHE_SECONDS: no query on a hit."""
    window = Window(window)
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(_VERSION_KEY, version, None)
    key = f"popularity:ranking:{version}:{timezone.localdate().isoformat()}:{window}:{limit}"
    result = cache.get(key)
    if result is None:
        result = ranking(window=window, limit=limit)
        cache.set(key, result, settings.POPULARITY_RANKING_CACHE_SECONDS)
    return result


def rankings_invalidate() -> None:
    """Forget every cached ranking (an article's title or visibility changed)."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


# --- For the editors' admin change list ------------------------------------------------


def annotate_view_totals(queryset: QuerySet[Article], *, today: date | None = None):
    """Add `views_7d` and `views_total` to an article queryset (sortable, no N+1).

    The 7-day figure is an indexed range read per article on the (article, day) key.
    """
    today = today or timezone.localdate()
    week = (
        DailyView.objects.filter(
            article=OuterRef("pk"), day__gte=today - timedelta(days=6), day__lte=today
        )
        .values("article")
        .annotate(total=Sum("views"))
        .values("total")
    )
    return queryset.annotate(
        views_7d=Coalesce(Subquery(week, output_field=IntegerField()), 0),
        views_total=Coalesce(F("view_total__views"), 0),
    )


def article_view_totals(*, article_ids: list[int] | set[int]) -> dict[int, tuple[int, int]]:
    """{article id: (views in the last 7 days, views of all time)} in one query."""
    rows = annotate_view_totals(Article.objects.filter(pk__in=article_ids)).values_list(
        "pk", "views_7d", "views_total"
    )
    return {pk: (week, total) for pk, week, total in rows}


# --- The site owners' dashboard ------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    compare: bool = True  # False for "all time": there is no period before it

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period | None:
        if not self.compare:
            return None
        end = self.start - timedelta(days=1)
        return Period(start=end - timedelta(days=self.days - 1), end=end)


@dataclass(frozen=True)
class DayPoint:
    day: date
    views: int
    unique_readers: int


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


@dataclass(frozen=True)
class TagRow:
    name: str
    views: int
    articles: int


def first_counted_day() -> date | None:
    return DailyView.objects.order_by("day").values_list("day", flat=True).first()


def stats_daily(*, period: Period, article_id: int | None = None) -> list[DayPoint]:
    """One point per day of the period (days without views are zeros), in one query."""
    rows = DailyView.objects.filter(day__range=(period.start, period.end))
    if article_id is not None:
        rows = rows.filter(article_id=article_id)
    by_day = {
        row["day"]: row
        for row in rows.order_by().values("day").annotate(v=Sum("views"), u=Sum("unique_readers"))
    }
    points = []
    for offset in range(period.days):
        day = period.start + timedelta(days=offset)
        row = by_day.get(day, {"v": 0, "u": 0})
        points.append(DayPoint(day=day, views=row["v"], unique_readers=row["u"]))
    return points


def stats_previous_views(*, period: Period, article_id: int | None = None) -> int | None:
    previous = period.previous
    if previous is None:
        return None
    rows = DailyView.objects.filter(day__range=(previous.start, previous.end))
    if article_id is not None:
        rows = rows.filter(article_id=article_id)
    return rows.order_by().aggregate(total=Coalesce(Sum("views"), 0))["total"]


def percent_change(current: int, previous: int | None) -> float | None:
    if not previous:
        return None
    return (current - previous) / previous * 100


def stats_articles(*, period: Period) -> list[ArticleRow]:
    """Every article read in the period, most views first, with the previous period beside it.

    Ties go to more unique readers, then the lower article id.
    """
    previous = period.previous
    current = Q(day__gte=period.start)
    rows = list(
        DailyView.objects.filter(
            day__range=(previous.start if previous else period.start, period.end)
        )
        .values("article_id", "article__title", "article__slug", "article__status")
        .annotate(
            v=Sum("views", filter=current),
            u=Sum("unique_readers", filter=current),
            p=Coalesce(Sum("views", filter=~current), 0),
        )
        .filter(v__gt=0)
        .order_by("-v", "-u", "article_id")
    )
    total = sum(row["v"] for row in rows)
    return [
        ArticleRow(
            rank=rank,
            article_id=row["article_id"],
            title=row["article__title"],
            slug=row["article__slug"],
            status=row["article__status"],
            views=row["v"],
            unique_readers=row["u"],
            share=row["v"] / total * 100,
            previous_views=row["p"] if previous else None,
            change=percent_change(row["v"], row["p"]) if previous else None,
        )
        for rank, row in enumerate(rows, start=1)
    ]


def stats_tags(*, period: Period) -> list[TagRow]:
    """Tags by the views of their articles in the period (an article counts for each tag)."""
    rows = (
        TaggedArticle.objects.filter(
            content_object__daily_views__day__range=(period.start, period.end)
        )
        .values("tag__name")
        .annotate(
            v=Sum("content_object__daily_views__views"),
            n=Count("content_object", distinct=True),
        )
        .order_by("-v", "tag__name")
    )
    return [TagRow(name=row["tag__name"], views=row["v"], articles=row["n"]) for row in rows]
