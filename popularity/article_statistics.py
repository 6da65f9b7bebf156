"""Reads for one article's statistics page (its daily series and read depth come from
statistics.py and read_depth.py): its first week against its peers, and its spikes' agents."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    DateField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from articles.models import Article
from articles.selectors import article_primary_tag, article_tags

from .analysis import FIRST_WEEK_DAYS, PeerComparison, Spike, peers_compare, spike_with_agent
from .expressions import big_sum
from .models import DailyAgentView, DailyView


def article_first_day(*, article: Article) -> date | None:
    """The first day the article existed for readers: its publication day (local date), or
    the first day it was read if that is earlier (published before, then again with a new
    date). None for an article never published nor read. One query."""
    first_read = DailyView.objects.filter(article=article).aggregate(day=Min("day"))["day"]
    days = [first_read]
    if article.published_at is not None:
        days.append(timezone.localdate(article.published_at))
    return min((day for day in days if day is not None), default=None)


def peer_comparison(
    *, article: Article, counted_since: date | None, now: datetime | None = None
) -> PeerComparison | None:
    """The article's views in its first seven days (local dates, publication day included)
    against the median of the published articles sharing its primary tag (the one its
    breadcrumb shows: the editor's choice, else its most used tag); first weeks before
    `counted_since` (the first day any view was counted) have no figure. Two queries; None
    without a tag or a publication date."""
    if article.published_at is None:
        return None
    primary = article_primary_tag(article=article, tags=article_tags(article=article))
    if primary is None:
        return None
    tag = (primary.pk, primary.name)
    now = now or timezone.now()
    first_day = TruncDate("published_at", tzinfo=timezone.get_default_timezone())
    week = (
        DailyView.objects.filter(
            article=OuterRef("pk"), day__range=(OuterRef("first_day"), OuterRef("last_day"))
        )
        .order_by()
        .values("article")
        .annotate(total=big_sum("views"))
        .values("total")
    )
    # The article itself is compared even when it is no longer public. A week without
    # rows stays None here: analysis.peers_compare tells "not counted yet" from "unread".
    rows = (
        (Article.objects.published() | Article.objects.filter(pk=article.pk))
        .filter(tags=tag[0])
        .annotate(
            first_day=first_day,
            last_day=ExpressionWrapper(
                first_day + Value(FIRST_WEEK_DAYS - 1), output_field=DateField()
            ),
        )
        .annotate(week=Subquery(week, output_field=BigIntegerField()))
        .values_list("pk", "first_day", "week")
    )
    own_day, own_views = timezone.localdate(article.published_at), None
    peers = []
    for pk, day, views in rows:
        if pk == article.pk:
            own_day, own_views = day, views
        else:
            peers.append((day, views))
    return peers_compare(
        tag=tag[1],
        first_day=own_day,
        first_week_views=own_views,
        peers=peers,
        today=timezone.localdate(now),
        counted_since=counted_since,
    )


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
            day_views=Window(Sum("views", output_field=BigIntegerField()), partition_by=[F("day")])
        )
        .order_by("day", "-views", "agent")
        .distinct("day")
        .values_list("day", "agent", "views", "day_views")
    )
    top = {day: (agent, views, total) for day, agent, views, total in rows}
    share = settings.POPULARITY_SPIKE_AGENT_SHARE
    return [
        spike_with_agent(
            spike,
            top_agent=top[spike.day][0],
            top_agent_views=top[spike.day][1],
            agent_views=top[spike.day][2],
            bot_share=share,
        )
        if spike.day in top
        else spike
        for spike in found
    ]
