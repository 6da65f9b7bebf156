from datetime import date, timedelta

import pytest

from popularity.analysis import DayPoint
from popularity.charts import line_chart


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
