"""Reads for the dashboard's sources, campaigns, devices, browsers, systems and countries
(DailyOrigin), and the filters that narrow the whole dashboard to one of them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from articles.models import TaggedArticle

from .analysis import Period
from .closed_days import closed_days_cached, period_split
from .models import DailyOrigin, DailyView, SiteDailyOrigin


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; empty strings are "any"."""

    source: str = ""
    device: str = ""
    country: str = ""
    tag: str = ""  # a tag's slug

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def by_origin(self) -> bool:
        """True when only the origin rows can answer (the daily rows have no source)."""
        return bool(self.source or self.device or self.country)


NO_FILTERS = Filters()


def counted_rows(*, filters: Filters = NO_FILTERS) -> QuerySet[Any]:
    """The rows that hold the counts the filters ask for: the daily rows when no origin is
    asked for, the origin rows otherwise (both have article, day, views, unique_readers)."""
    model = DailyOrigin if filters.by_origin else DailyView
    return _narrowed(model.objects.all(), filters)


def site_rows(*, filters: Filters = NO_FILTERS) -> QuerySet[Any]:
    """The rows whose sums answer for the whole site: the site's own origin rows when only
    an origin is asked for (a few per day instead of every article's), the per-article rows
    when a tag is (a tag is an article's) or nothing is (the daily rows go back further)."""
    if filters.by_origin and not filters.tag:
        return _narrowed(SiteDailyOrigin.objects.all(), filters)
    return counted_rows(filters=filters)


def _narrowed(rows: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.device:
        rows = rows.filter(device=filters.device)
    if filters.country:
        rows = rows.filter(country=filters.country)
    if filters.tag:
        tagged = TaggedArticle.objects.filter(tag__slug=filters.tag).values("content_object_id")
        rows = rows.filter(article_id__in=tagged)
    return rows


@dataclass(frozen=True)
class BreakdownRow:
    value: str  # the source, device, browser … as stored ("" for an unknown country)
    views: int
    unique_readers: int
    share: float  # percent of the panel's views
    # Campaigns only: the source and medium the campaign came with.
    source: str = ""
    medium: str = ""


# Each panel is one grouping set of the same scan; its GROUPING() bits tell them apart.
PANELS: dict[str, tuple[str, ...]] = {
    "sources": ("source",),
    "campaigns": ("source", "medium", "campaign"),
    "devices": ("device",),
    "browsers": ("browser",),
    "systems": ("os",),
    "countries": ("country",),
}
_COLUMNS = ("source", "medium", "campaign", "device", "browser", "os", "country")


def _grouping_bits(columns: tuple[str, ...]) -> int:
    """GROUPING(all columns) for a set that groups by `columns` (1 = aggregated away)."""
    bits = 0
    for position, column in enumerate(_COLUMNS):
        if column not in columns:
            bits |= 1 << (len(_COLUMNS) - 1 - position)
    return bits


def stats_breakdowns(
    *, period: Period, filters: Filters = NO_FILTERS, article_id: int | None = None
) -> dict[str, list[BreakdownRow]]:
    """Every panel's rows for the period, most views first (ties: more readers, then the
    name): one pass over the period's origin rows (the site's own, unless an article or a
    tag is asked for), its ended days' sums kept (closed_days.py): one query for today's
    rows, one more for the ended days' when they are not kept.

    Raw SQL around the ORM's filtered rows: the ORM has no GROUPING SETS, and six separate
    GROUP BYs read the same rows six times (bench/popularity_rankings.py).
    """
    if article_id is not None:
        rows = _narrowed(DailyOrigin.objects.filter(article_id=article_id), filters)
    elif filters.tag:
        rows = _narrowed(DailyOrigin.objects.all(), filters)
    else:
        rows = _narrowed(SiteDailyOrigin.objects.all(), filters)
    # The ended days' sums are kept (closed_days.py); today's are added to them.
    closed, live = period_split(period, today=timezone.localdate())
    parts: list[tuple] = []
    if closed is not None:
        scope = (filters, article_id)
        parts += closed_days_cached("breakdowns", closed, lambda: _grouped(rows, closed), *scope)
    if live is not None:
        parts += _grouped(rows, live)
    summed: dict[tuple, list[int]] = {}
    for bits, *values, views, readers in parts:
        total = summed.setdefault((bits, *values), [0, 0])
        total[0] += views
        total[1] += readers
    found = [(*key, views, readers) for key, (views, readers) in summed.items()]
    by_bits = {_grouping_bits(columns): name for name, columns in PANELS.items()}
    panels: dict[str, list[tuple]] = {name: [] for name in PANELS}
    for bits, *values, views, readers in found:
        panels[by_bits[bits]].append((dict(zip(_COLUMNS, values, strict=True)), views, readers))
    return {name: _panel(name, entries) for name, entries in panels.items()}


def _grouped(rows: QuerySet[Any], period: Period) -> list[tuple]:
    """[(GROUPING bits, *columns, views, readers)] of `rows` in `period`, for every panel."""
    rows = rows.filter(day__range=(period.start, period.end))
    # The rows as they are, not summed per combination first: the planner cannot estimate
    # how few combinations there are and sorts them on disk (3.5 times the CPU on the
    # bench's 30 days), where the grouping sets alone hash them in memory.
    inner, params = (
        rows.order_by().values(*_COLUMNS, "views", "unique_readers").query.sql_with_params()
    )
    sets = ", ".join(f"({', '.join(columns)})" for columns in PANELS.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT GROUPING({", ".join(_COLUMNS)}), {", ".join(_COLUMNS)},
                   sum(views)::bigint, sum(unique_readers)::bigint
            FROM ({inner}) AS o
            GROUP BY GROUPING SETS ({sets})
            """,
            params,
        )
        return cursor.fetchall()


def _panel(name: str, entries: list[tuple[dict, int, int]]) -> list[BreakdownRow]:
    columns = PANELS[name]
    if name == "campaigns":
        entries = [entry for entry in entries if entry[0]["campaign"]]
    total = sum(views for _, views, _ in entries) or 1
    rows = [
        BreakdownRow(
            value=values[columns[-1]],
            views=views,
            unique_readers=readers,
            share=views / total * 100,
            source=values["source"] if name == "campaigns" else "",
            medium=values["medium"] if name == "campaigns" else "",
        )
        for values, views, readers in entries
    ]
    rows.sort(key=lambda row: (-row.views, -row.unique_readers, row.value, row.source))
    return rows


def sources_first_seen_in(*, period: Period, sources: list[str]) -> set[str]:
    """Which of `sources` brought no reader to the site before the period: one query on the
    site's origin rows (their key starts with the day)."""
    seen_before = (
        SiteDailyOrigin.objects.filter(day__lt=period.start, source__in=sources)
        .order_by()
        .values_list("source", flat=True)
        .distinct()
    )
    return set(sources) - set(seen_before)
