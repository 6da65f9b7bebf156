"""Server-rendered SVG line chart: no script, no third-party request, numbers from the table.

The plot is drawn in its own units and stretched to whatever width the page has
(`preserveAspectRatio="none"`, strokes that do not scale); the axis labels sit in SVGs of
their own without a viewBox, placed in percent of the plot, so their text keeps its CSS
size on a phone as on a desktop (a chart scaled as one picture shrank them to ~5 px).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .analysis import DayPoint, Period

# The plot's own coordinates: any size will do, the box it is stretched to decides.
PLOT_WIDTH, PLOT_HEIGHT = 1000, 200
MAX_X_LABELS = 6  # about 50 px apart on a 375 px phone: never touching
# The y-axis labels' width in CSS px: per character at the labels' 12 px, and the gap; at
# least half a day label, which hangs that far left of the plot's first day.
LABEL_CHAR_PX, LABEL_GAP_PX, MIN_Y_AXIS_PX = 7.5, 8, 28


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    points: str  # SVG polyline points, in plot units
    dots: list[tuple[float, float, str]]  # x, y (plot units), tooltip


@dataclass(frozen=True)
class XTick:
    percent: str  # from the plot's left edge, e.g. "33.33"
    label: str
    anchor: str  # text-anchor: a label at either edge keeps inside the plot


@dataclass(frozen=True)
class YTick:
    percent: str  # from the plot's top edge
    y: float  # the gridline, in plot units
    label: str


@dataclass(frozen=True)
class Chart:
    series: list[Series]
    y_ticks: list[YTick]
    x_ticks: list[XTick]
    y_axis_width: int  # CSS px: room for the longest value label
    summary: str
    top_value: int = 0  # the value at the top gridline
    previous: str = ""  # SVG path of the previous period's views (gaps: no figure)
    width: int = PLOT_WIDTH
    height: int = PLOT_HEIGHT


def nice_step(value: int) -> int:
    """The gap between the four gridlines above zero: a whole 1, 2, 2.5 or 5 × a power of ten,
    the smallest that lets 4 gaps reach `value`, so every tick is an evenly spaced whole
    number (0, 2, 4, 6, 8 rather than 0, 1, 2, 3, 5)."""
    magnitude = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * magnitude
            if step == int(step) and 4 * step >= value:
                return int(step)
        magnitude *= 10


def _anchor(fraction: float) -> str:
    # Centred on its day; one near the right edge ends there rather than hang past the page
    # (at the left, the y-axis column has room for it).
    return "end" if fraction >= 0.92 else "middle"


def line_chart(points: list[DayPoint], previous: Sequence[DayPoint | None] = ()) -> Chart:
    """The views and unique readers of `points`; `previous` (see previous_points), when
    given, the previous period's views as a second line facing the same weekdays."""
    count = len(points)
    before = [p.views if p is not None else None for p in previous]
    step = nice_step(
        max([p.views for p in points] + [v for v in before if v is not None], default=0)
    )
    top_value = 4 * step

    def fraction(index: int) -> float:
        return index / (count - 1) if count > 1 else 0.5

    def x(index: int) -> float:
        return round(PLOT_WIDTH * fraction(index), 1)

    def y(value: int) -> float:
        return round(PLOT_HEIGHT - PLOT_HEIGHT * value / top_value, 1)

    def series(name: str, css_class: str, attr: str) -> Series:
        coords = [(x(i), y(getattr(p, attr))) for i, p in enumerate(points)]
        dots = [
            (cx, cy, f"{p.day:%-d %b %Y}: {getattr(p, attr):,} {name.lower()}")
            for (cx, cy), p in zip(coords, points, strict=True)
        ]
        return Series(
            name=name,
            css_class=css_class,
            points=" ".join(f"{cx},{cy}" for cx, cy in coords),
            dots=dots if count <= 100 else [],
        )

    label_every = max(1, -(-count // MAX_X_LABELS))
    x_ticks = [
        XTick(f"{fraction(i) * 100:.2f}", label=f"{p.day:%-d %b}", anchor=_anchor(fraction(i)))
        for i, p in enumerate(points)
        if i % label_every == 0
    ]
    y_ticks = [
        YTick(percent=f"{100 - 25 * k}", y=y(step * k), label=f"{step * k:,}") for k in range(5)
    ]
    longest = max(len(tick.label) for tick in y_ticks)
    total_views = sum(p.views for p in points)
    total_readers = sum(p.unique_readers for p in points)
    summary = (
        f"Daily views and unique readers from {points[0].day:%-d %B %Y} to "
        f"{points[-1].day:%-d %B %Y}: {total_views:,} views, {total_readers:,} unique readers."
        if points
        else "No days in this period."
    )
    path, pen = [], "M"
    for index, value in enumerate(before):
        if value is None:
            pen = "M"
            continue
        path.append(f"{pen}{x(index)},{y(value)}")
        pen = "L"
    return Chart(
        top_value=top_value,
        previous=" ".join(path) if any(move.startswith("L") for move in path) else "",
        series=[
            series("Views", "chart-views", "views"),
            series("Unique readers", "chart-readers", "unique_readers"),
        ],
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        y_axis_width=max(MIN_Y_AXIS_PX, round(longest * LABEL_CHAR_PX + LABEL_GAP_PX)),
        summary=summary,
    )


# --- The days a reader can point at: tooltips, the previous period, markers, notes ---------


def weekday_offset(days: int) -> int:
    """How many days back the previous period's line is drawn from: the period's own length
    rounded up to whole weeks, so each day faces the same weekday (Mondays on Mondays) and
    the whole compared stretch lies before the period (7 days: a week; 30 days: 35)."""
    return max(7, -(-days // 7) * 7)


def history_period(period: Period, *, at_least: int = 0) -> Period:
    """The period widened back, so one query brings the previous period's line too."""
    back = max(at_least, weekday_offset(period.days) if period.previous else 0)
    return Period(start=period.start - timedelta(days=back), end=period.end)


def previous_points(
    history: list[DayPoint], *, days: int, since: date | None
) -> list[DayPoint | None]:
    """The previous period's day facing each of the last `days` days of `history` (whose
    first weekday_offset(days) days are before the period), None where it has no figure
    (before `since`, the first day with figures)."""
    offset = weekday_offset(days)
    shown = history[-days:]
    facing = history[len(history) - days - offset : len(history) - offset]
    if len(facing) != len(shown):
        return [None] * len(shown)
    return [None if since is None or p.day < since else p for p in facing]


@dataclass(frozen=True)
class ChartDay:
    """One day as a reader points at it: its place on the plot and everything said there."""

    point: DayPoint
    previous: DayPoint | None
    published: tuple[str, ...]  # what was published or updated that day
    centre: str  # percent of the plot's width: the day's place, its markers'
    top: str  # percent of the plot's height, the views' dot
    left: str  # percent of the plot's width: the day's column (for the mouse), inside the plot
    width: str
    at: str  # percent of the column's width: the day's place in it
    side: str  # "start", "middle" or "end": where the tooltip opens, to stay on the page

    @property
    def lines(self) -> list[str]:
        p = self.point
        lines = [f"{p.views:,} views, {p.unique_readers:,} unique readers"]
        if self.previous is not None:
            before = self.previous
            lines.append(
                f"Previous period, {before.day:%a %-d %b}: {before.views:,} views, "
                f"{before.unique_readers:,} unique readers"
            )
        lines += [f"Published: {title}" for title in self.published]
        lines += [f"Note: {note}" for note in p.notes]
        return lines

    @property
    def label(self) -> str:
        return f"{self.point.day:%a %-d %b %Y}"

    @property
    def spoken(self) -> str:
        """The day's button's name: what a screen reader says as the tooltip opens."""
        return ". ".join([self.label, *self.lines])


def chart_days(
    chart: Chart,
    points: list[DayPoint],
    *,
    previous: list[DayPoint | None],
    published: dict[date, list[str]],
) -> list[ChartDay]:
    count = len(points)
    top_value = chart.top_value or 1
    days = []
    for index, point in enumerate(points):
        share = index / (count - 1) if count > 1 else 0.5
        half = 50 / max(count - 1, 1)
        left, right = max(0.0, share * 100 - half), min(100.0, share * 100 + half)
        days.append(
            ChartDay(
                point=point,
                previous=previous[index] if index < len(previous) else None,
                published=tuple(published.get(point.day, ())),
                centre=f"{share * 100:.2f}",
                top=f"{100 - 100 * point.views / top_value:.2f}",
                left=f"{left:.3f}",
                width=f"{right - left:.3f}",
                at=f"{(share * 100 - left) / (right - left) * 100:.1f}",
                side="start" if share < 1 / 3 else "end" if share > 2 / 3 else "middle",
            )
        )
    return days
