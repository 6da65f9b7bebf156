"""Reads: Popular Posts rankings (public) and the statistics behind the owners' dashboard.

Public rankings start from Article.objects.published(); each is one indexed query, cached
briefly. The dashboard reports on every article that was read, published or not any more.
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.db.models import (
    BigIntegerField,
    Case,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.query import RawQuerySet
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section, TaggedArticle

from .models import ArticleTotal, DailyAgentView, DailyView, ReadDepthDay, SectionReach

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


def _weighted(weights: dict[date, int]) -> Case:
    # 64-bit, so views × weight cannot overflow (as 32 bits it did at 2,148 views a day).
    return Case(
        *(
            When(day=day, then=Value(w, output_field=BigIntegerField()))
            for day, w in weights.items()
        ),
        default=Value(0, output_field=BigIntegerField()),
        output_field=BigIntegerField(),
    )


def big_sum(expression, **extra) -> Cast:
    """Sum(...) as a bigint, 0 when there is nothing to add.

    PostgreSQL adds bigints up into `numeric`, which raw SQL hands to Python as a Decimal;
    cast back, every figure stays a plain int (exact up to 9.2 × 10^18).
    """
    return Cast(Coalesce(Sum(expression, **extra), 0), output_field=BigIntegerField())


def _scores(window: Window, now: datetime) -> QuerySet:
    """(article_id, score) for every article read in the window, from the daily index."""
    today = timezone.localdate(now)
    if window == Window.ALL:
        return ArticleTotal.objects.filter(views__gt=0).values("article_id", score=F("views"))
    if window in (Window.WEEK, Window.MONTH):
        days = 7 if window == Window.WEEK else 30
        start, score = today - timedelta(days=days - 1), big_sum("views")
    else:
        weights = (
            last_24h_weights(now=now) if window == Window.DAY else trending_weights(today=today)
        )
        start, score = min(weights), big_sum(F("views") * _weighted(weights))
    return (
        DailyView.objects.filter(day__range=(start, today))
        .order_by()
        .values("article_id")
        .annotate(score=score)
    )


def ranking_queryset(
    *, window: Window | str, limit: int = 10, now: datetime | None = None
) -> RawQuerySet:
    """Published articles for `window`, best first, each with its `score`: one query.

    The window's rows are summed per article first (an index-only scan grouped on an
    integer), then joined to Article.objects.published(): twice as fast on a large table
    as joining every daily row to its article. Ties (equal score) go to the more recently
    published article, then the higher id.
    """
    window = Window(window)
    now = now or timezone.now()
    published_sql, published_params = (
        Article.objects.published()
        .order_by()
        .values("id", "title", "slug", "standfirst", "published_at")
        .query.sql_with_params()
    )
    scores_sql, scores_params = _scores(window, now).query.sql_with_params()
    sql = f"""
        SELECT p.id, p.title, p.slug, p.standfirst, p.published_at, s.score
        FROM ({published_sql}) AS p
        JOIN ({scores_sql}) AS s ON s.article_id = p.id
        WHERE s.score > 0
        ORDER BY s.score DESC, p.published_at DESC, p.id DESC
        LIMIT %s
    """
    return Article.objects.raw(sql, [*published_params, *scores_params, limit])


def ranking(
    *, window: Window | str, limit: int = 10, now: datetime | None = None
) -> list[RankedArticle]:
    """The top `limit` published articles for `window` (see ranking_queryset)."""
    window = Window(window)
    return [
        RankedArticle(
            id=row.id,
            title=row.title,
            slug=row.slug,
            standfirst=row.standfirst,
            published_at=row.published_at,
            views=_shown_views(window, row.score),
        )
        for row in ranking_queryset(window=window, limit=limit, now=now)
    ]


def _shown_views(window: Window, score: int) -> int | None:
    if window == Window.TRENDING:
        return None
    if window == Window.DAY:
        return max(1, round(score / MINUTES_PER_DAY))
    return score


_VERSION_KEY = "popularity:rankings:version"


def ranking_cached(*, window: Window | str, limit: int = 10) -> list[RankedArticle]:
    """ranking(), cached for POPULARITY_RANKING_CACHE_SECONDS: no query on a hit.

    The key names the ranking period that pages add to their ETag: a page re-rendered
    because a new period began shows that period's ranking, not one computed near the end
    of the last (which would let Popular Posts lag two periods behind).
    """
    window = Window(window)
    today = timezone.localdate().isoformat()
    key = f"popularity:ranking:{articles_version()}:{today}:{rankings_period()}:{window}:{limit}"
    result = cache.get(key)
    if result is None:
        result = ranking(window=window, limit=limit)
        cache.set(key, result, settings.POPULARITY_RANKING_CACHE_SECONDS)
    return result


def articles_version() -> str:
    """Changes whenever an article is saved or deleted: part of every popularity cache key."""
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(_VERSION_KEY, version, None)
    return version


def rankings_period() -> str:
    """Which ranking-cache period it is now: a page showing Popular Posts adds it to its
    ETag, so a browser revalidating after the rankings may have moved gets a fresh page."""
    return str(int(time.time() // settings.POPULARITY_RANKING_CACHE_SECONDS))


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
        .annotate(total=big_sum("views"))
        .values("total")
    )
    return queryset.annotate(
        views_7d=Coalesce(Subquery(week, output_field=BigIntegerField()), 0),
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
    # Percent of the period's read-depth reports that reached the end; None without reports.
    completion_rate: float | None = None


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
    sums = rows.order_by().values("day").annotate(v=big_sum("views"), u=big_sum("unique_readers"))
    by_day = {row["day"]: row for row in sums}
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
    return rows.order_by().aggregate(total=big_sum("views"))["total"]


def percent_change(current: int, previous: int | None) -> float | None:
    if not previous:
        return None
    return (current - previous) / previous * 100


def stats_articles(*, period: Period) -> list[ArticleRow]:
    """Every article read in the period, most views first, with the previous period beside it.

    Ties go to more unique readers, then the lower article id. One query: the sums per
    article (grouped on the integer id, from the daily index), joined to their titles.
    """
    previous = period.previous
    current = Q(day__gte=period.start)
    sums_sql, params = (
        DailyView.objects.filter(
            day__range=(previous.start if previous else period.start, period.end)
        )
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


def stats_tags(*, period: Period) -> list[TagRow]:
    """Tags by the views of their articles in the period (an article counts for each tag).

    Views are summed per article first, then spread over the tags: one query.
    """
    sums_sql, params = (
        DailyView.objects.filter(day__range=(period.start, period.end))
        .order_by()
        .values("article_id")
        .annotate(v=big_sum("views"))
        .query.sql_with_params()
    )
    links = TaggedArticle._meta
    tags = links.get_field("tag").related_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.name, sum(s.v)::bigint, count(*)
            FROM ({sums_sql}) AS s
            JOIN {links.db_table} AS l ON l.content_object_id = s.article_id
            JOIN {tags} AS t ON t.id = l.tag_id
            GROUP BY t.id, t.name
            ORDER BY 2 DESC, t.name
            """,
            params,
        )
        return [TagRow(name=name, views=views, articles=n) for name, views, n in cursor]


# --- Read depth ----------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    position: int
    heading: str  # as readers saw it (the latest heading reported at this position)
    anchor: str
    readers: int
    share: float  # percent of the readers who reported
    drop: float  # percentage points lost since the step before (from 100 for the first)
    earlier_headings: tuple[str, ...]  # other headings this position had in the period
    current: bool  # the article still has this heading at this position


@dataclass(frozen=True)
class ReadDepthSummary:
    readers: int
    completions: int
    steps: list[FunnelStep]

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.readers * 100 if self.readers else None

    @property
    def median_depth(self) -> int | None:
        """The section the median reader got to (0: none), from the reach counts."""
        if not self.readers:
            return None
        reach = [self.readers, *(step.readers for step in self.steps), 0]
        stopped_by = 0
        for depth in range(len(reach) - 1):
            stopped_by += reach[depth] - reach[depth + 1]  # readers whose deepest is `depth`
            if stopped_by * 2 >= self.readers:
                return depth
        return len(self.steps)

    @property
    def biggest_drop(self) -> FunnelStep | None:
        if not self.readers:
            return None
        losing = [step for step in self.steps if step.drop > 0]
        return max(losing, key=lambda step: (step.drop, -step.position), default=None)

    @property
    def changed(self) -> bool:
        return any(not step.current or step.earlier_headings for step in self.steps)


def read_depth_summary(
    *, period: Period, article_id: int, current_sections: list[tuple[str, str]]
) -> ReadDepthSummary:
    """The read-depth funnel of one article in the period (two queries).

    `current_sections` are the article's top-level (anchor, heading) pairs now, in order:
    steps recorded against other sections are marked as belonging to an earlier version.
    """
    totals = (
        ReadDepthDay.objects.filter(article_id=article_id, day__range=(period.start, period.end))
        .order_by()
        .aggregate(r=big_sum("readers"), c=big_sum("completions"))
    )
    rows = (
        SectionReach.objects.filter(article_id=article_id, day__range=(period.start, period.end))
        .order_by("position", "-day")
        .values_list("position", "anchor", "heading", "readers")
    )
    by_position: dict[int, dict] = {}
    for position, anchor, heading, readers in rows:
        step = by_position.setdefault(
            position, {"anchor": anchor, "heading": heading, "readers": 0, "others": []}
        )
        step["readers"] += readers
        if heading != step["heading"] and heading not in step["others"]:
            step["others"].append(heading)
    total = totals["r"]
    steps: list[FunnelStep] = []
    before = 100.0
    for position in sorted(by_position):
        step = by_position[position]
        share = step["readers"] / total * 100 if total else 0.0
        now = current_sections[position - 1] if position <= len(current_sections) else None
        steps.append(
            FunnelStep(
                position=position,
                heading=step["heading"],
                anchor=step["anchor"],
                readers=step["readers"],
                share=share,
                drop=before - share,
                earlier_headings=tuple(step["others"]),
                current=now == (step["anchor"], step["heading"]),
            )
        )
        before = share
    # Sections nobody reached in the period still belong in the funnel, at zero.
    for position in range(len(steps) + 1, len(current_sections) + 1):
        anchor, heading = current_sections[position - 1]
        steps.append(FunnelStep(position, heading, anchor, 0, 0.0, before, (), current=True))
        before = 0.0
    return ReadDepthSummary(readers=total, completions=totals["c"], steps=steps)


def article_top_sections(*, article_id: int) -> list[tuple[str, str]]:
    """(anchor, heading) of the article's top-level sections in order: the page's <section>s
    directly inside the prose (a subheading nests in the section before it). One query."""
    sections: list[tuple[str, str]] = []
    rows = Section.objects.filter(article_id=article_id).order_by("position")
    for anchor, heading, level in rows.values_list("anchor", "heading", "level"):
        if level == Section.Level.H3 and sections:
            continue
        sections.append((anchor, heading))
    return sections


# --- Refresh candidates ----------------------------------------------------------------


@dataclass(frozen=True)
class RefreshCandidate:
    article_id: int
    title: str
    views: int  # in the last POPULARITY_REFRESH_WINDOW_DAYS
    updated_at: datetime


def refresh_candidates(*, now: datetime | None = None, limit: int = 10) -> list[RefreshCandidate]:
    """Published articles read a lot lately whose text has not changed for a long time, most
    read first: where an editor's update reaches the most readers. One query."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - timedelta(days=settings.POPULARITY_REFRESH_WINDOW_DAYS - 1)
    recent = (
        DailyView.objects.filter(article=OuterRef("pk"), day__range=(start, today))
        .order_by()
        .values("article")
        .annotate(total=big_sum("views"))
        .values("total")
    )
    rows = (
        Article.objects.published()
        .filter(updated_at__lt=now - timedelta(days=settings.POPULARITY_REFRESH_STALE_DAYS))
        .annotate(recent=Coalesce(Subquery(recent, output_field=BigIntegerField()), 0))
        .filter(recent__gte=settings.POPULARITY_REFRESH_MIN_VIEWS)
        .order_by("-recent", "updated_at", "pk")
        .values_list("pk", "title", "recent", "updated_at")[:limit]
    )
    return [RefreshCandidate(*row) for row in rows]


# --- Against its peers -----------------------------------------------------------------

FIRST_WEEK_DAYS = 7


@dataclass(frozen=True)
class PeerComparison:
    tag: str
    first_week_views: int
    first_week_complete: bool  # False while the article is younger than seven days
    peers: int  # published articles with the tag whose first week is over
    peer_median: float | None

    @property
    def ratio(self) -> float | None:
        return self.first_week_views / self.peer_median if self.peer_median else None


def peer_comparison(*, article: Article, now: datetime | None = None) -> PeerComparison | None:
    """The article's views in its first seven days (local dates, publication day included)
    against the median of the published articles sharing its main tag (the first by name, as
    the breadcrumb shows it). Two queries; None without a tag or a publication date."""
    if article.published_at is None:
        return None
    tag = article.tags.order_by("name").values_list("pk", "name").first()
    if tag is None:
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    published_sql, published_params = (
        Article.objects.published().order_by().values("id", "published_at").query.sql_with_params()
    )
    links = TaggedArticle._meta.db_table
    zone = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id, (a.published_at AT TIME ZONE %s)::date, COALESCE(SUM(d.views), 0)::bigint
            FROM (
                SELECT p.id, p.published_at FROM ({published_sql}) AS p
                UNION SELECT %s, %s
            ) AS a
            JOIN {links} AS l ON l.content_object_id = a.id AND l.tag_id = %s
            LEFT JOIN {DailyView._meta.db_table} AS d ON d.article_id = a.id
                AND d.day BETWEEN (a.published_at AT TIME ZONE %s)::date
                AND (a.published_at AT TIME ZONE %s)::date + {FIRST_WEEK_DAYS - 1}
            GROUP BY a.id, a.published_at
            """,
            [zone, *published_params, article.pk, article.published_at, tag[0], zone, zone],
        )
        rows = cursor.fetchall()
    own = next((views for pk, _, views in rows if pk == article.pk), 0)
    over = today - timedelta(days=FIRST_WEEK_DAYS - 1)
    peers = [views for pk, day, views in rows if pk != article.pk and day < over]
    return PeerComparison(
        tag=tag[1],
        first_week_views=own,
        first_week_complete=timezone.localdate(article.published_at) < over,
        peers=len(peers),
        peer_median=statistics.median(peers) if peers else None,
    )


# --- Spikes ------------------------------------------------------------------------------

SPIKE_BASELINE_DAYS = 14


@dataclass(frozen=True)
class Spike:
    day: date
    views: int
    usual: float  # median daily views of the SPIKE_BASELINE_DAYS before it
    # The user agent that sent most of the day's views, and how many; None for a day without
    # agent counts (before they were recorded, or past their retention).
    top_agent: str | None = None
    top_agent_views: int = 0
    agent_views: int = 0  # the day's views whose agent was recorded (all, after the first)

    @property
    def ratio(self) -> float:
        return self.views / max(self.usual, 1)

    @property
    def top_agent_share(self) -> float | None:
        """Of the day's views with a recorded agent (on the day agent counting began only
        some had one), the share the top agent sent: 0–1."""
        if self.top_agent is None or not self.agent_views:
            return None
        return self.top_agent_views / self.agent_views

    @property
    def top_agent_percent(self) -> float | None:
        share = self.top_agent_share
        return None if share is None else share * 100

    @property
    def likely_bot(self) -> bool:
        share = self.top_agent_share
        return share is not None and share >= settings.POPULARITY_SPIKE_AGENT_SHARE


def spikes(*, points: list[DayPoint], since: date) -> list[Spike]:
    """Days from `since` whose views are POPULARITY_SPIKE_FACTOR times the median of the
    SPIKE_BASELINE_DAYS before them (a quiet article's usual counts as at least 1), and at
    least POPULARITY_SPIKE_MIN_VIEWS. `points` are consecutive days, the baseline included."""
    factor, least = settings.POPULARITY_SPIKE_FACTOR, settings.POPULARITY_SPIKE_MIN_VIEWS
    found = []
    for index, point in enumerate(points):
        if point.day < since or index < SPIKE_BASELINE_DAYS:
            continue
        usual = statistics.median(p.views for p in points[index - SPIKE_BASELINE_DAYS : index])
        if point.views >= least and point.views >= factor * max(usual, 1):
            found.append(Spike(day=point.day, views=point.views, usual=usual))
    return found


def spikes_with_agents(*, article_id: int, found: list[Spike]) -> list[Spike]:
    """`found` with each day's top user agent and its share: one query, none without spikes.

    Ties between agents go to the one first in alphabetical order, so the page is stable.
    """
    if not found:
        return found
    # DISTINCT ON keeps each day's first row (its top agent); the window sum is taken over
    # all of the day's agents before that, so one indexed read gives both.
    rows = (
        DailyAgentView.objects.filter(article_id=article_id, day__in=[s.day for s in found])
        .annotate(
            day_views=models.Window(
                Sum("views", output_field=BigIntegerField()), partition_by=[F("day")]
            )
        )
        .order_by("day", "-views", "agent")
        .distinct("day")
        .values_list("day", "agent", "views", "day_views")
    )
    top = {
        day: {"top_agent": agent, "top_agent_views": views, "agent_views": total}
        for day, agent, views, total in rows
    }
    return [replace(spike, **top.get(spike.day, {})) for spike in found]
