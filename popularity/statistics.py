"""Reads for the site owners' dashboard. It reports on every article that was read,
published or not any more; the analysis of the figures is in analysis.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from taggit.models import Tag

from articles.medical_review import ReviewStatus, review_due_cutoff
from articles.models import MODIFIED_AT, Article, TaggedArticle

from .analysis import (
    DayPoint,
    Period,
    RefreshCandidate,
    change_text,
    percent_change,
    refresh_rank,
)
from .breakdowns import NO_FILTERS, Filters, counted_rows, site_rows
from .closed_days import (
    CLOSED_DAYS_CACHE_SECONDS,
    closed_days_cached,
    closed_days_key,
    period_split,
)
from .expressions import big_sum, int_array
from .models import DailyPath, DailyView, ReadDepthDay
from .paths import Onward


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
    # Percent of its readers (all sources) who followed a link to another article; None
    # without readers. See paths.Onward.
    onward_rate: float | None = None

    @property
    def change_label(self) -> str:
        return change_text(self.views, self.previous_views)


@dataclass(frozen=True)
class TagRow:
    name: str
    views: int
    articles: int
    slug: str = ""


def first_counted_day() -> date | None:
    return DailyView.objects.order_by("day").values_list("day", flat=True).first()


def _summed_rows(*, filters: Filters, article_id: int | None) -> QuerySet[Any]:
    if article_id is None:
        return site_rows(filters=filters)
    return counted_rows(filters=filters).filter(article_id=article_id)


def stats_daily(
    *, period: Period, article_id: int | None = None, filters: Filters = NO_FILTERS
) -> list[DayPoint]:
    """One point per day of the period (days without views are zeros), in one query; the
    sums of its ended days are kept (closed_days.py), so then only today's rows are read."""
    closed, live = period_split(period, today=timezone.localdate())
    key = closed_days_key("daily", closed, article_id, filters) if closed else None
    by_day = cache.get(key) if key else None
    if by_day is None or live is not None:
        read = period if by_day is None or live is None else live
        rows = _summed_rows(filters=filters, article_id=article_id).filter(
            day__range=(read.start, read.end)
        )
        sums = (
            rows.order_by().values("day").annotate(v=big_sum("views"), u=big_sum("unique_readers"))
        )
        found = {row["day"]: (row["v"], row["u"]) for row in sums}
        if by_day is None and closed is not None:
            kept = {d: vu for d, vu in found.items() if d <= closed.end}
            cache.set(key, kept, CLOSED_DAYS_CACHE_SECONDS)
        by_day = {**(by_day or {}), **found}
    points = []
    for offset in range(period.days):
        day = period.start + timedelta(days=offset)
        views, readers = by_day.get(day, (0, 0))
        points.append(DayPoint(day=day, views=views, unique_readers=readers))
    return points


def stats_previous_views(
    *, period: Period, article_id: int | None = None, filters: Filters = NO_FILTERS
) -> int | None:
    """The views of the period before (its days have ended: kept, see closed_days.py)."""
    previous = period.previous
    if previous is None:
        return None

    def total() -> int:
        rows = _summed_rows(filters=filters, article_id=article_id).filter(
            day__range=(previous.start, previous.end)
        )
        summed: int = rows.order_by().aggregate(total=big_sum("views"))["total"]
        return summed

    if previous.end >= timezone.localdate():  # not ended yet: nothing to keep
        return total()
    return closed_days_cached("previous", previous, total, article_id, filters)


class RankedArticle(NamedTuple):
    # A tuple, not a dataclass: ~9,000 of them are made for a 30-day dashboard.
    article_id: int
    views: int
    unique_readers: int


def stats_article_ranking(*, period: Period, filters: Filters = NO_FILTERS) -> list[RankedArticle]:
    """Every article read in the period, most views first (ties: more unique readers, then
    the lower id): the sums of its ended days kept (closed_days.py), today's added from one
    index-only scan of today's rows (one more of the ended days when they are not kept).

    The dashboard pages this list and fetches titles and the previous period for the page
    only (stats_article_rows); on 1,000,000 daily rows the one query that joined them for
    all ~9,000 articles read in 30 days, and their previous 30 days too, cost about three
    times as much (bench/popularity_rankings.py).
    """
    closed, live = period_split(period, today=timezone.localdate())
    if closed is None:
        return _ranking_query(period=period, filters=filters)

    def columns() -> list[list[int]]:
        # Three lists of plain ints: read back from the cache several times faster than
        # ~9,000 tuples.
        rows = _ranking_rows(period=closed, filters=filters)
        return [[row[i] for row in rows] for i in range(3)]

    kept = closed_days_cached("ranking", closed, columns, filters)
    if live is None:
        return list(map(RankedArticle._make, zip(*kept, strict=True)))
    ids, kept_views, kept_readers = kept or ([], [], [])
    views, readers = (
        dict(zip(ids, kept_views, strict=True)),
        dict(zip(ids, kept_readers, strict=True)),
    )
    for article_id, v, u in _ranking_rows(period=live, filters=filters):
        views[article_id] = views.get(article_id, 0) + v
        readers[article_id] = readers.get(article_id, 0) + u
    # One integer a key (views, then readers, descending; then the id): ~9,000 tuples of
    # three as keys cost about as much again.
    order = sorted(views, key=lambda pk: pk - ((views[pk] << 128) | (readers[pk] << 64)))
    return [RankedArticle(pk, views[pk], readers[pk]) for pk in order]


def _ranking_query(*, period: Period, filters: Filters) -> list[RankedArticle]:
    return list(map(RankedArticle._make, _ranking_rows(period=period, filters=filters)))


def _ranking_rows(*, period: Period, filters: Filters) -> list[tuple[int, int, int]]:
    sums = (
        counted_rows(filters=filters)
        .filter(day__range=(period.start, period.end))
        .order_by()
        .values("article_id")
        .annotate(v=big_sum("views"), u=big_sum("unique_readers"))
        .filter(v__gt=0)
        .order_by("-v", "-u", "article_id")
        .values_list("article_id", "v", "u")
    )
    # The ORM's SQL, run without its per-value converters (about 27,000 calls for plain
    # integers on the bench's 30 days: a third of the view's Python time).
    sql, params = sums.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def stats_article_rows(
    *,
    period: Period,
    ranked: Iterable[RankedArticle],
    first_rank: int = 1,
    total_views: int,
    filters: Filters = NO_FILTERS,
) -> list[ArticleRow]:
    """The table rows of `ranked` (a page of stats_article_ranking): title, share of
    `total_views`, the previous period, the completion rate and the onward rate, in one
    query.

    The completion and onward rates are the article's own, whatever the filters (read
    depth and paths have no source)."""
    previous = period.previous
    ranked = list(ranked)
    ids = int_array(item.article_id for item in ranked)
    of_these = RawSQL("article_id = ANY(%s::bigint[])", (ids,), output_field=BooleanField())
    # Each sum grouped once over these articles' rows (a page's 50 or the CSV's thousands):
    # a subquery per article would probe the index ~27,000 times for the whole CSV.
    prev_sql, prev_params = "SELECT NULL::bigint AS article_id, NULL::bigint AS v", ()
    if previous is not None:
        prev_sql, prev_params = (
            counted_rows(filters=filters)
            .filter(of_these, day__range=(previous.start, previous.end))
            .order_by()
            .values("article_id")
            .annotate(v=big_sum("views"))
            .query.sql_with_params()
        )
    depth_sql, depth_params = (
        ReadDepthDay.objects.filter(of_these, day__range=(period.start, period.end))
        .order_by()
        .values("article_id")
        .annotate(r=big_sum("readers"), c=big_sum("completions"))
        .query.sql_with_params()
    )
    onward_sql, onward_params = (
        DailyPath.objects.filter(
            RawSQL("from_article_id = ANY(%s::bigint[])", (ids,), output_field=BooleanField()),
            day__range=(period.start, period.end),
        )
        .order_by()
        .values("from_article_id")
        .annotate(n=big_sum("readers"))
        .query.sql_with_params()
    )
    # Under a source, device or country filter the ranking's readers are that origin's: the
    # onward rate needs all of the article's readers (no need without a filter: the same).
    own_sql, own_params = "SELECT NULL::bigint AS article_id, NULL::bigint AS u", ()
    if filters.by_origin:
        own_sql, own_params = (
            DailyView.objects.filter(of_these, day__range=(period.start, period.end))
            .order_by()
            .values("article_id")
            .annotate(u=big_sum("unique_readers"))
            .query.sql_with_params()
        )
    with connection.cursor() as cursor:
        # Raw SQL: the ORM cannot join subqueries in FROM.
        cursor.execute(
            f"""
            SELECT a.id, a.title, a.slug, a.status, p.v, d.r, d.c, o.n, r.u
            FROM {Article._meta.db_table} AS a
            LEFT JOIN ({prev_sql}) AS p ON p.article_id = a.id
            LEFT JOIN ({depth_sql}) AS d ON d.article_id = a.id
            LEFT JOIN ({onward_sql}) AS o ON o.from_article_id = a.id
            LEFT JOIN ({own_sql}) AS r ON r.article_id = a.id
            WHERE a.id = ANY(%s::bigint[])
            """,
            [*prev_params, *depth_params, *onward_params, *own_params, ids],
        )
        found = {pk: rest for pk, *rest in cursor.fetchall()}
    rows = []
    for rank, item in enumerate(ranked, start=first_rank):
        if item.article_id not in found:  # deleted since the ranking was read
            continue
        title, slug, status, views_before, read, done, went_on, own_readers = found[item.article_id]
        onward = Onward(
            readers=item.unique_readers if own_readers is None else own_readers,
            went_on=went_on or 0,
        )
        rows.append(
            ArticleRow(
                rank=rank,
                article_id=item.article_id,
                title=title,
                slug=slug,
                status=status,
                views=item.views,
                unique_readers=item.unique_readers,
                share=item.views / (total_views or 1) * 100,
                previous_views=(views_before or 0) if previous else None,
                change=percent_change(item.views, views_before or 0) if previous else None,
                completion_rate=done / read * 100 if read else None,
                onward_rate=onward.rate,
            )
        )
    return rows


def stats_risers(
    *, period: Period, total_views: int, filters: Filters = NO_FILTERS, limit: int = 5
) -> list[ArticleRow]:
    """The articles whose views grew most against the period before (by views gained, then
    by more views now), as the dashboard's table rows (`total_views`: the period's, for
    their share): two queries. None without a period before to compare with."""
    previous = period.previous
    if previous is None:
        return []
    rows = counted_rows(filters=filters).filter(day__range=(previous.start, period.end))
    now, before = Q(day__gte=period.start), Q(day__lte=previous.end)
    gains = (
        rows.order_by()
        .values("article_id")
        .annotate(
            v=big_sum("views", filter=now),
            u=big_sum("unique_readers", filter=now),
            gain=big_sum("views", filter=now) - big_sum("views", filter=before),
        )
        .filter(gain__gt=0)
        .order_by("-gain", "-v", "article_id")
        .values_list("article_id", "v", "u")[:limit]
    )
    ranked = [RankedArticle(*row) for row in gains]
    return stats_article_rows(
        period=period, ranked=ranked, total_views=total_views, filters=filters
    )


def stats_articles(*, period: Period, filters: Filters = NO_FILTERS) -> list[ArticleRow]:
    """Every article read in the period as table rows, most views first (the CSV, the
    report command): the ranking's queries (stats_article_ranking), then one more."""
    ranking = stats_article_ranking(period=period, filters=filters)
    return stats_article_rows(
        period=period,
        ranked=ranking,
        total_views=sum(item.views for item in ranking),
        filters=filters,
    )


def stats_tags(*, period: Period, filters: Filters = NO_FILTERS) -> list[TagRow]:
    """Tags by the views of their articles in the period (an article counts for each tag)."""
    return tags_of_ranking(stats_article_ranking(period=period, filters=filters))


def tag_name(*, slug: str) -> str:
    """The name of the tag with `slug` ("" when there is none), as readers see it."""
    return Tag.objects.filter(slug=slug).values_list("name", flat=True).first() or ""


def tags_of_ranking(ranking: Sequence[RankedArticle]) -> list[TagRow]:
    """Tags by the views of the ranked articles, most first (then by name): one query that
    spreads the sums the dashboard already has over the tags, instead of reading the
    period's rows a second time. Raw SQL: the ORM cannot join an unnest() of arrays."""
    if not ranking:
        return []
    links = TaggedArticle._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.name, sum(s.v)::bigint, count(*), t.slug
            FROM unnest(%s::bigint[], %s::bigint[]) AS s(article_id, v)
            JOIN {links.db_table} AS l ON l.content_object_id = s.article_id
            JOIN {Tag._meta.db_table} AS t ON t.id = l.tag_id
            GROUP BY t.id, t.name, t.slug
            ORDER BY 2 DESC, t.name
            """,
            [int_array(column) for column in list(zip(*ranking, strict=True))[:2]],
        )
        return [
            TagRow(name=name, views=views, articles=n, slug=slug) for name, views, n, slug in cursor
        ]


def refresh_candidates(*, now: datetime | None = None, limit: int = 10) -> list[RefreshCandidate]:
    """Published articles read a lot lately whose text has not changed for a long time, most
    read first (analysis.refresh_rank). One query; the database applies the same thresholds
    first, so only the candidates travel."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - timedelta(days=settings.POPULARITY_REFRESH_WINDOW_DAYS - 1)
    stale_after = timedelta(days=settings.POPULARITY_REFRESH_STALE_DAYS)
    min_views = settings.POPULARITY_REFRESH_MIN_VIEWS
    # A join, not a subquery per article: the planner then costs it by the stale articles
    # it expects, not by all of them, and does not spend ~20 ms compiling it (JIT).
    rows = (
        Article.objects.published()
        .annotate(updated=MODIFIED_AT)
        .filter(updated__lt=now - stale_after, daily_views__day__range=(start, today))
        .annotate(recent=big_sum("daily_views__views"))
        .filter(recent__gte=min_views)
        .values_list("pk", "title", "recent", "updated")
    )
    stale = refresh_rank(
        (RefreshCandidate(*row) for row in rows),
        now=now,
        stale_after=stale_after,
        min_views=min_views,
        limit=limit,
    )
    return with_medical_reviews(stale, start=start, today=today, limit=limit)


#: Why a published health article needs its medical reviewer (articles.medical_review).
MEDICAL_REASONS = {
    ReviewStatus.NEVER: "Never medically reviewed",
    ReviewStatus.DUE: "Medical review due",
    ReviewStatus.CHANGED: "Changed since its medical review",
}


def with_medical_reviews(
    candidates: list[RefreshCandidate], *, start: date, today: date, limit: int
) -> list[RefreshCandidate]:
    """`candidates` and the published health articles whose medical review is due, changed
    or missing (the `limit` most read of them), each with its reasons; one query."""
    cutoff = review_due_cutoff(today)
    rows = (
        Article.objects.published()
        .filter(health_content=True)
        .filter(
            Q(reviewed_at__isnull=True)
            | Q(reviewed_at__lte=cutoff)
            | ~Q(reviewed_text_digest=F("text_digest"))
        )
        .annotate(
            recent=big_sum("daily_views__views", filter=Q(daily_views__day__gte=start)),
            updated=MODIFIED_AT,
        )
        .order_by("-recent", "pk")
        .values_list(
            "pk",
            "title",
            "recent",
            "updated",
            "reviewed_at",
            "reviewed_text_digest",
            "text_digest",
        )[:limit]
    )
    listed = {candidate.article_id: candidate for candidate in candidates}
    for pk, title, views, updated_at, reviewed_at, reviewed_digest, digest in rows:
        if reviewed_at is None:
            reason = MEDICAL_REASONS[ReviewStatus.NEVER]
        elif reviewed_digest != digest:
            reason = MEDICAL_REASONS[ReviewStatus.CHANGED]
        else:
            reason = MEDICAL_REASONS[ReviewStatus.DUE]
        if pk in listed:
            listed[pk] = replace(listed[pk], reasons=(*listed[pk].reasons, reason))
        else:
            listed[pk] = RefreshCandidate(pk, title, views, updated_at, (reason,))
    return list(listed.values())
