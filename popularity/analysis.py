"""The dashboard's analysis as plain functions over plain data: no database, no settings.

The selectors in statistics.py fetch the figures and pass the thresholds in; everything
here can be called (and tested) with hand-made numbers.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta


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
    notes: tuple[str, ...] = ()  # the owners' notes on the day (DayNote), for the table


def percent_change(current: int, previous: int | None) -> float | None:
    if not previous:
        return None
    return (current - previous) / previous * 100


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
    likely_bot: bool = False  # the top agent's share reached the bot threshold

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


def spikes(*, points: list[DayPoint], since: date, factor: float, least: int) -> list[Spike]:
    """Days from `since` whose views are `factor` times the median of the
    SPIKE_BASELINE_DAYS before them (a quiet article's usual counts as at least 1), and at
    least `least`. `points` are consecutive days, the baseline included."""
    found = []
    for index, point in enumerate(points):
        if point.day < since or index < SPIKE_BASELINE_DAYS:
            continue
        usual = statistics.median(p.views for p in points[index - SPIKE_BASELINE_DAYS : index])
        if point.views >= least and point.views >= factor * max(usual, 1):
            found.append(Spike(day=point.day, views=point.views, usual=usual))
    return found


def spike_with_agent(
    spike: Spike, *, top_agent: str, top_agent_views: int, agent_views: int, bot_share: float
) -> Spike:
    """`spike` with its day's top user agent; a likely bot when that agent sent at least
    `bot_share` (0–1) of the day's views whose agent was recorded."""
    found = replace(
        spike, top_agent=top_agent, top_agent_views=top_agent_views, agent_views=agent_views
    )
    share = found.top_agent_share
    return replace(found, likely_bot=share is not None and share >= bot_share)


# --- Against its peers -------------------------------------------------------------------

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


def peers_compare(
    *,
    tag: str,
    first_day: date,
    first_week_views: int,
    peers: Iterable[tuple[date, int]],
    today: date,
) -> PeerComparison:
    """An article's first-week views (its first day `first_day`) against the median of its
    peers' (first day, first-week views) whose first week is over by `today`."""
    over = today - timedelta(days=FIRST_WEEK_DAYS - 1)
    done = [views for day, views in peers if day < over]
    return PeerComparison(
        tag=tag,
        first_week_views=first_week_views,
        first_week_complete=first_day < over,
        peers=len(done),
        peer_median=statistics.median(done) if done else None,
    )


# --- Refresh candidates ------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshCandidate:
    article_id: int
    title: str
    views: int  # in the last POPULARITY_REFRESH_WINDOW_DAYS
    updated_at: datetime


def refresh_rank(
    candidates: Iterable[RefreshCandidate],
    *,
    now: datetime,
    stale_after: timedelta,
    min_views: int,
    limit: int,
) -> list[RefreshCandidate]:
    """Articles read at least `min_views` times lately and unchanged for longer than
    `stale_after`, most read first, then the longest unchanged: where an editor's update
    reaches the most readers."""
    due = [c for c in candidates if c.views >= min_views and c.updated_at < now - stale_after]
    due.sort(key=lambda c: (-c.views, c.updated_at, c.article_id))
    return due[:limit]
