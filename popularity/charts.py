"""Server-rendered SVG line chart: no script, no third-party request, numbers from the table."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import DayPoint

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    points: str  # SVG polyline points
    dots: list[tuple[float, float, str]]  # x, y, tooltip


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, int]]  # y position, value
    x_ticks: list[tuple[float, str, str]]  # x position, label, text-anchor
    plot_left: int
    plot_right: int
    plot_bottom: int
    summary: str


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


def line_chart(points: list[DayPoint]) -> Chart:
    count = len(points)
    step = nice_step(max((p.views for p in points), default=0))
    top_value = 4 * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return round(LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2), 1)

    def y(value: int) -> float:
        return round(TOP + plot_h - plot_h * value / top_value, 1)

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

    label_every = max(1, -(-count // 6))
    # A label is centred on its day, but one at the right edge ends there (centred, half of
    # it would fall outside the picture).
    x_ticks = [
        (x(i), f"{p.day:%-d %b}", "end" if x(i) > WIDTH - RIGHT - 20 else "middle")
        for i, p in enumerate(points)
        if i % label_every == 0
    ]
    y_ticks = [(y(step * k), step * k) for k in range(5)]
    total_views = sum(p.views for p in points)
    total_readers = sum(p.unique_readers for p in points)
    summary = (
        f"Daily views and unique readers from {points[0].day:%-d %B %Y} to "
        f"{points[-1].day:%-d %B %Y}: {total_views} views, {total_readers} unique readers."
        if points
        else "No days in this period."
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        series=[
            series("Views", "chart-views", "views"),
            series("Unique readers", "chart-readers", "unique_readers"),
        ],
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_bottom=HEIGHT - BOTTOM,
        summary=summary,
    )
