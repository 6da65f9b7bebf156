"""Server-rendered SVG line chart: no script, no third-party request, numbers from the table.

The plot is drawn in its own units and stretched to whatever width the page has
(`preserveAspectRatio="none"`, strokes that do not scale); the axis labels sit in SVGs of
their own without a viewBox, placed in percent of the plot, so their text keeps its CSS
size on a phone as on a desktop (a chart scaled as one picture shrank them to ~5 px).
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import DayPoint

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


def line_chart(points: list[DayPoint]) -> Chart:
    count = len(points)
    step = nice_step(max((p.views for p in points), default=0))
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
            (cx, cy, f"{p.day:%-d %b %Y}: {getattr(p, attr)} {name.lower()}")
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
        f"{points[-1].day:%-d %B %Y}: {total_views} views, {total_readers} unique readers."
        if points
        else "No days in this period."
    )
    return Chart(
        series=[
            series("Views", "chart-views", "views"),
            series("Unique readers", "chart-readers", "unique_readers"),
        ],
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        y_axis_width=max(MIN_Y_AXIS_PX, round(longest * LABEL_CHAR_PX + LABEL_GAP_PX)),
        summary=summary,
    )
