"""Summing the dashboard's default view ahead of the owners (closed_days.py).

Each day's first view of a period sums its ended days (a month of rows, about twice the
time of the views after it), and so does the first view after a flush that wrote an
ended day, which the first flush after midnight nearly always does. The scheduler runs
this after each flush, so an owner who opens the dashboard once a morning gets the quick
view too.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from .breakdowns import stats_breakdowns
from .charts import history_period
from .closed_days import closed_days_key, period_split
from .forms import PeriodForm
from .least_read import least_read
from .paths import top_pairs
from .statistics import stats_article_ranking, stats_daily, stats_previous_views


def statistics_warm() -> bool:
    """Keep the ended days' sums the dashboard's default view reads (no filter, the
    default period): True when it summed them, False (one cache read) when they were kept."""
    period = PeriodForm({}).period()
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
