"""The dashboard's daily chart in a real browser: a keyboard reaches every day with the arrow
keys and reads its figures (the previous period's and a note's too); a mouse hovering a day
sees the same tooltip; axe finds nothing serious in light or dark, on a desktop or a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from popularity.models import DayNote
from tests.browser.axe import axe_required, serious_violations
from tests.browser.test_statistics import owner_page  # noqa: F401 (a fixture)
from tests.factories import ArticleFactory, DailyViewFactory

pytestmark = pytest.mark.django_db(transaction=True)


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def week_with_a_note():
    axe_required()
    article = ArticleFactory(
        title="Why your eyelid twitches", published_at=timezone.now() - timedelta(days=30)
    )
    ArticleFactory(title="Calm breathing", published_at=timezone.now() - timedelta(days=2))
    for age in range(14):  # this week and the one before: a previous period to compare
        DailyViewFactory(article=article, day=ago(age), views=10 + age, unique_readers=5 + age)
    DayNote.objects.create(day=ago(1), text="Newsletter sent")


@pytest.fixture
def chart_page(owner_page):  # noqa: F811 (the fixture imported above)
    """The dashboard's last 7 days, signed in as a site owner."""

    def open_page(width: int, scheme: str):
        page = owner_page(width, scheme)
        page.goto("/admin/statistics/?range=7")
        return page

    return open_page


def test_a_keyboard_moves_between_days_and_hears_their_figures(
    chart_page, week_with_a_note, console_errors
):
    page = chart_page(1280, "light")
    days = page.locator("[data-chart-day]")
    assert days.count() == 7
    # One tab stop: the last day, reached by tabbing through the page.
    page.locator("[data-chart-days]").evaluate("g => g.previousElementSibling.scrollIntoView()")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-chart-day')"):
            break
    focused = page.locator("[data-chart-day]:focus")
    assert focused.get_attribute("data-chart-day") == f"{ago(0):%Y-%m-%d}"
    tip = focused.locator("[data-chart-tip]")
    assert tip.is_visible()
    assert "10 views, 5 unique readers" in tip.inner_text()
    assert "Previous period" in tip.inner_text() and "17 views" in tip.inner_text()

    page.keyboard.press("ArrowLeft")
    focused = page.locator("[data-chart-day]:focus")
    assert focused.get_attribute("data-chart-day") == f"{ago(1):%Y-%m-%d}"
    # What a screen reader says on focus: the button's name, the tooltip's text.
    name = focused.get_attribute("aria-label")
    assert "11 views, 6 unique readers" in name and "Note: Newsletter sent" in name
    assert focused.locator("[data-chart-tip]").is_visible()
    assert page.locator('[data-mark="note"]').count() == 1
    assert f"{ago(1):%a %-d %b}: Newsletter sent" in page.locator(".chart-notes").inner_text()
    assert page.locator('[data-mark="published"]').count() == 1
    page.keyboard.press("ArrowLeft")
    focused = page.locator("[data-chart-day]:focus")
    assert "Published: Calm breathing" in focused.inner_text()
    page.keyboard.press("Home")
    assert page.locator("[data-chart-day]:focus").get_attribute("data-chart-day") == (
        f"{ago(6):%Y-%m-%d}"
    )
    assert page.locator('[data-chart-day][tabindex="0"]').count() == 1  # still one tab stop

    # The mouse: hovering a day shows its tooltip.
    page.locator("body").click(position={"x": 5, "y": 5})
    third = days.nth(2)
    third.hover()
    assert third.locator("[data-chart-tip]").is_visible()
    assert f"{ago(4):%a %-d %b %Y}" in third.locator("[data-chart-tip]").inner_text()
    assert "14 views" in third.locator("[data-chart-tip]").inner_text()
    # The table holds the same, with the previous period's column.
    page.locator(".stats-daily summary").click()
    row = page.locator(f'.stats-daily tr[data-day="{ago(1):%Y-%m-%d}"]')
    assert "Newsletter sent" in row.inner_text()
    assert row.locator("[data-previous]").inner_text().startswith("18")
    assert page.locator("path.chart-previous").count() == 1
    assert console_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_chart_passes_axe(chart_page, week_with_a_note, scheme, width):
    page = chart_page(width, scheme)
    page.locator("[data-chart-day]").last.focus()  # a tooltip open, as a keyboard sees it
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
