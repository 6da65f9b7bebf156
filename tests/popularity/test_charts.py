from datetime import date, timedelta

import pytest

from popularity.analysis import DayPoint
from popularity.charts import chart_days, line_chart, previous_points, weekday_offset


def chart_of(*views: int):
    start = date(2026, 11, 1)
    return line_chart(
        [
            DayPoint(day=start + timedelta(days=i), views=v, unique_readers=v)
            for i, v in enumerate(views)
        ]
    )


@pytest.mark.parametrize(
    ("highest", "labels"),
    [
        (0, [0, 1, 2, 3, 4]),
        (3, [0, 1, 2, 3, 4]),
        (5, [0, 2, 4, 6, 8]),
        (9, [0, 5, 10, 15, 20]),
        (37, [0, 10, 20, 30, 40]),
        (90, [0, 25, 50, 75, 100]),
        (1234, [0, 500, 1000, 1500, 2000]),
    ],
)
def test_axis_labels_are_evenly_spaced_whole_numbers_reaching_the_highest_day(highest, labels):
    chart = chart_of(1, highest, 0)
    assert [tick.label for tick in chart.y_ticks] == [f"{n:,}" for n in labels]
    positions = [tick.y for tick in chart.y_ticks]
    gaps = {round(a - b, 1) for a, b in zip(positions, positions[1:], strict=False)}
    assert len(gaps) == 1  # the gridlines are evenly spaced on the page too
    # Each label sits on its gridline: the same share of the plot's height.
    for tick in chart.y_ticks:
        assert float(tick.percent) == pytest.approx(tick.y / chart.height * 100)


def test_the_highest_day_is_drawn_on_or_below_the_top_gridline():
    chart = chart_of(2, 5, 1)
    top_gridline = min(tick.y for tick in chart.y_ticks)
    views = chart.series[0]
    assert min(cy for _, cy, _ in views.dots) >= top_gridline
    assert [tip for _, _, tip in views.dots][1] == "2 Nov 2026: 5 views"


def test_what_a_screen_reader_and_a_hover_tell_groups_thousands():
    """The chart's name and each dot's tooltip, like the table and the totals beside it."""
    chart = chart_of(1064, 2396)
    assert chart.summary == (
        "Daily views and unique readers from 1 November 2026 to 2 November 2026: "
        "3,460 views, 3,460 unique readers."
    )
    views, readers = chart.series
    assert [tip for _, _, tip in views.dots] == [
        "1 Nov 2026: 1,064 views",
        "2 Nov 2026: 2,396 views",
    ]
    assert [tip for _, _, tip in readers.dots][1] == "2 Nov 2026: 2,396 unique readers"


def test_a_label_on_the_last_day_ends_inside_the_plot():
    chart = chart_of(*range(6))  # a label every day, the last at the right edge
    assert [(tick.percent, tick.anchor) for tick in chart.x_ticks] == [
        ("0.00", "middle"),
        ("20.00", "middle"),
        ("40.00", "middle"),
        ("60.00", "middle"),
        ("80.00", "middle"),
        ("100.00", "end"),
    ]


def test_the_y_axis_is_as_wide_as_its_longest_label():
    narrow, wide = chart_of(1, 3, 0), chart_of(1, 123_456, 0)
    assert wide.y_ticks[-1].label == "200,000"
    assert wide.y_axis_width > narrow.y_axis_width >= 28  # half a day label: "30 Nov"


def days_from(start: date, *views: int) -> list[DayPoint]:
    return [
        DayPoint(day=start + timedelta(days=i), views=v, unique_readers=v)
        for i, v in enumerate(views)
    ]


@pytest.mark.parametrize(("days", "offset"), [(1, 7), (7, 7), (8, 14), (28, 28), (30, 35)])
def test_the_previous_period_is_whole_weeks_before(days, offset):
    assert weekday_offset(days) == offset


def test_the_previous_line_faces_the_same_weekdays():
    # A 30-day period from Monday 2 Nov 2026, with 35 days before it in the same series.
    start = date(2026, 11, 2) - timedelta(days=35)
    history = days_from(start, *range(65))
    facing = previous_points(history, days=30, since=None)
    assert len(facing) == 30  # no figure yet for any of them: since None
    assert facing == [None] * 30
    facing = previous_points(history, days=30, since=start)
    shown = history[-30:]
    assert [p.day.weekday() for p in facing] == [p.day.weekday() for p in shown]
    assert facing[0].day == date(2026, 9, 28)  # a Monday faces the Monday 5 weeks before
    pairs = zip(shown, facing, strict=True)
    assert all(now.day - before.day == timedelta(days=35) for now, before in pairs)


def test_days_before_figures_leave_a_gap_in_the_previous_line():
    start = date(2026, 11, 2) - timedelta(days=7)
    history = days_from(start, *([4] * 7 + [2] * 7))
    facing = previous_points(history, days=7, since=start + timedelta(days=3))
    assert [p and p.views for p in facing] == [None, None, None, 4, 4, 4, 4]
    chart = line_chart(history[-7:], facing)
    assert chart.previous.startswith("M500.0,") and chart.previous.count("L") == 3
    assert chart.top_value == 4  # the previous line fits under the top gridline too


def test_a_chart_without_a_previous_period_draws_no_second_line():
    assert line_chart(days_from(date(2026, 11, 2), 1, 2, 3)).previous == ""


def test_markers_and_tooltips_sit_on_their_days():
    points = days_from(date(2026, 11, 2), 0, 8, 4, 2, 0)
    points[1] = DayPoint(day=points[1].day, views=8, unique_readers=5, notes=("Newsletter sent",))
    before = days_from(date(2026, 10, 26), 1, 2, 3, 4, 5)
    chart = line_chart(points, before)
    days = chart_days(chart, points, previous=before, published={points[3].day: ["Sleep well"]})
    assert [d.centre for d in days] == ["0.00", "25.00", "50.00", "75.00", "100.00"]
    # Each day's column (for the mouse) is the plot's width shared out, none outside it.
    assert [(d.left, d.width, d.at) for d in days] == [
        ("0.000", "12.500", "0.0"),
        ("12.500", "25.000", "50.0"),
        ("37.500", "25.000", "50.0"),
        ("62.500", "25.000", "50.0"),
        ("87.500", "12.500", "100.0"),
    ]
    assert days[1].top == "0.00"  # 8 views on a top gridline at 8
    assert [d.side for d in days] == ["start", "start", "middle", "end", "end"]
    assert days[1].label == "Tue 3 Nov 2026"
    assert days[1].lines == [
        "8 views, 5 unique readers",
        "Previous period, Tue 27 Oct: 2 views, 2 unique readers",
        "Note: Newsletter sent",
    ]
    assert days[3].published == ("Sleep well",) and "Published: Sleep well" in days[3].lines
