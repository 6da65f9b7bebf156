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


def period_compared(period: Period, *, counted_since: date | None) -> Period:
    """`period`, compared with the period before it only when views were counted from that
    one's first day (`counted_since`: the first day any view was; None: none yet). A day
    before counting began has no figure, and no figure is not 0 views."""
    previous = period.previous
    if previous is None or counted_since is None or previous.start < counted_since:
        return replace(period, compare=False)
    return period


def percent_change(current: int, previous: int | None) -> float | None:
    if not previous:
        return None
    return (current - previous) / previous * 100


def change_text(current: int, previous: int | None) -> str:
    """A period's views against the period before, as the dashboard says it: "+12.5%",
    "new" (read now, not before), "no change" (read in neither), "—" (no period before)."""
    if previous is None:
        return "—"
    change = percent_change(current, previous)
    if change is not None:
        return f"{change:+.1f}%"
    return "new" if current else "no change"


def known_from(*, first_day: date | None, counted_since: date | None) -> date | None:
    """The first day whose figures mean something: the article existed (`first_day`; None:
    never yet) and views were being counted (`counted_since`; None: not yet). A zero
    before it is no figure at all, not readers staying away."""
    if first_day is None or counted_since is None:
        return None
    return max(first_day, counted_since)


def chart_note(
    *,
    period: Period,
    counted_since: date | None,
    first_day: date | None = None,
    article: bool = False,
) -> str:
    """Why the chart starts after the period does, or is not drawn at all; "" when it
    covers the whole period. `first_day` is an article's (see known_from)."""
    if article and first_day is None:
        return "Never published yet: nothing to chart."
    if article and first_day is not None and first_day > period.end:
        return f"Public from {first_day:%-d %B %Y}, after this period: nothing to chart."
    if counted_since is None:
        return "No view has been counted yet: nothing to chart."
    if counted_since > period.end:
        return f"Views are counted from {counted_since:%-d %B %Y}, after this period: no chart."
    start = known_from(first_day=first_day, counted_since=counted_since) if article else None
    if start is not None and start > period.start and start == first_day:
        return f"Public from {start:%-d %B %Y}: the chart starts there."
    if counted_since > period.start:
        return f"Views are counted from {counted_since:%-d %B %Y}: the chart starts there."
    return ""


def points_since(points: list[DayPoint], first_day: date | None) -> list[DayPoint]:
    """The days of `points` from `first_day` on; none without a first day."""
    if first_day is None:
        return []
    return [point for point in points if point.day >= first_day]


# --- Spikes ------------------------------------------------------------------------------

SPIKE_BASELINE_DAYS = 14
# A day is judged against the median of at least three days of the article's own life:
# one or two (the publication day is often a part day) are no usual level.
SPIKE_MIN_BASELINE_DAYS = 3


@dataclass(frozen=True)
class Spike:
    day: date
    views: int
    usual: float  # median daily views of the (up to) SPIKE_BASELINE_DAYS before it
    # The user agent that sent most of the day's views, and how many; None for a day without
    # agent counts (before they were recorded, or past their retention).
    top_agent: str | None = None
    top_agent_views: int = 0
    agent_views: int = 0  # the day's views whose agent was recorded (all, after the first)
    likely_bot: bool = False  # the top agent's share reached the bot threshold

    @property
    def ratio(self) -> float | None:
        """How many times the usual level; None when the usual level is under one view a
        day, of which a multiple means nothing."""
        return self.views / self.usual if self.usual >= 1 else None

    @property
    def usual_text(self) -> str:
        ratio = self.ratio
        if ratio is not None:
            return f"{ratio:.0f}× its usual {self.usual:g} a day"
        return "usually under 1 a day" if self.usual else "usually none a day"

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


def spikes(
    *, points: list[DayPoint], since: date, first_day: date | None, factor: float, least: int
) -> list[Spike]:
    """Days from `since` whose views are `factor` times the median of the
    SPIKE_BASELINE_DAYS before them (a quiet article's usual counts as at least 1), and at
    least `least`. `points` are consecutive days, the fortnight before `since` included.

    Days before `first_day` (the first with figures, see known_from; None: all count)
    are in no baseline: their zeros are no usual level (the article did not exist, or
    nothing was counted), and a day needs SPIKE_MIN_BASELINE_DAYS with figures before it.
    """
    found = []
    for index, point in enumerate(points):
        if point.day < since or index < SPIKE_BASELINE_DAYS:
            continue
        baseline = [
            p.views
            for p in points[index - SPIKE_BASELINE_DAYS : index]
            if first_day is None or p.day >= first_day
        ]
        if len(baseline) < SPIKE_MIN_BASELINE_DAYS:
            continue
        usual = statistics.median(baseline)
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
    first_week_views: int | None  # None: before views were counted, or not begun yet
    first_week_complete: bool  # False while the article is younger than seven days
    peers: int  # other articles with the tag whose first week is over and was counted
    peer_median: float | None
    others: int = 0  # every other published article with the tag
    too_young: int = 0  # of them, still in their first week
    uncounted: int = 0  # of them, published before views were counted: no figure to compare
    first_week_begun: bool = True  # False for an article scheduled for a later day

    @property
    def ratio(self) -> float | None:
        if self.first_week_views is None or not self.peer_median:
            return None
        return self.first_week_views / self.peer_median


def peers_compare(
    *,
    tag: str,
    first_day: date,
    first_week_views: int | None,
    peers: Iterable[tuple[date, int | None]],
    today: date,
    counted_since: date | None,
) -> PeerComparison:
    """An article's first-week views (its first day `first_day`) against the median of its
    peers' (first day, first-week views) whose first week is over by `today`.

    A first week that began before `counted_since` (the first day any view was counted;
    None: none ever was) has no figure: it is left out, never taken as 0 views. One that
    began after it and has no views (None) was counted, and nobody read it: 0. One that
    begins after `today` (a scheduled article) has no figure yet either.
    """

    def counted(day: date) -> bool:
        return counted_since is not None and day >= counted_since

    over = today - timedelta(days=FIRST_WEEK_DAYS - 1)
    others = list(peers)
    young = [day for day, _ in others if day >= over]
    uncounted = [day for day, _ in others if day < over and not counted(day)]
    done = [views or 0 for day, views in others if day < over and counted(day)]
    begun = first_day <= today
    return PeerComparison(
        tag=tag,
        first_week_views=(first_week_views or 0) if begun and counted(first_day) else None,
        first_week_complete=first_day < over,
        peers=len(done),
        peer_median=statistics.median(done) if done else None,
        others=len(others),
        too_young=len(young),
        uncounted=len(uncounted),
        first_week_begun=begun,
    )


# --- Refresh candidates ------------------------------------------------------------------


STALE_REASON = "Read a lot, unchanged for long"


@dataclass(frozen=True)
class RefreshCandidate:
    article_id: int
    title: str
    views: int  # in the last POPULARITY_REFRESH_WINDOW_DAYS
    updated_at: datetime
    #: Why it is listed, for the owner: read a lot and unchanged, or its medical review.
    reasons: tuple[str, ...] = (STALE_REASON,)


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
