"""Summing the dashboard's unfiltered views ahead of the owners (closed_days.py).

Each day's first view of a period sums its ended days (a month of rows, about twice the
time of the views after it), and so does the first view after a flush that wrote an
ended day, which the first flush after midnight nearly always does. The scheduler runs
this after each flush, so an owner who opens the dashboard once a morning gets the quick
view too.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from .analysis import Period
from .breakdowns import stats_breakdowns
from .charts import history_period
from .closed_days import closed_days_key, period_split
from .forms import DEFAULT_PRESET, PRESETS, PeriodForm
from .least_read import least_read
from .paths import top_pairs
from .statistics import stats_article_ranking, stats_daily, stats_previous_views


def statistics_warm() -> bool:
    """Keep the ended days' sums the dashboard's unfiltered views read, for each of its
    periods but "All time" (the default first): True when it summed any, False (a cache
    read each) when they were all kept. A filtered view sums its own on its first load."""
    summed = False
    for preset in (DEFAULT_PRESET, *(p for p in PRESETS if p not in (DEFAULT_PRESET, "all"))):
        summed |= _warm(PeriodForm({"range": preset}).period())
    return summed


def _warm(period: Period) -> bool:
    closed, _ = period_split(period, today=timezone.localdate())
    # "Least read"'s read depth is summed last: kept, so is the rest.
    if closed is None or cache.get(closed_days_key("depth", closed)) is not None:
        return False
    ranking = stats_article_ranking(period=period)
    stats_daily(period=history_period(period))
    stats_previous_views(period=period)
    stats_breakdowns(period=period)
    top_pairs(period=period)
    least_read(period=period, ranking=ranking)
    return True
