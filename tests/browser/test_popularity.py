"""A real reader's visit is counted once; a site owner reads the statistics in the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from popularity.models import DailyView
from tests.browser.conftest import DESKTOP_CHROME
from tests.factories import ArticleFactory, DailyViewFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_visit_counts_once_and_shows_in_popular_posts(browser, live_server):
    article = ArticleFactory(title="Breathing in the park")
    context = browser.new_context(base_url=live_server.url, user_agent=DESKTOP_CHROME)
    page = context.new_page()
    for _ in range(3):
        page.goto(article.get_absolute_url())
    assert DailyView.objects.get(article=article).views == 1

    headless = browser.new_context(base_url=live_server.url)
    headless.new_page().goto(article.get_absolute_url())
    headless.close()
    assert DailyView.objects.get(article=article).views == 1

    page.goto("/popular/7d/")
    page.get_by_role("link", name="Breathing in the park").first.click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    context.close()


def test_owner_reads_the_dashboard_chart(new_page, live_server, screenshot):
    owner = UserFactory(username="siteowner", is_staff=True)
    owner.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    read = ArticleFactory(title="Read for a fortnight")
    for age in range(14):
        DailyViewFactory(article=read, day=timezone.localdate() - timedelta(days=age), views=3)
    page = new_page()
    page.goto("/admin/login/?next=/admin/statistics/")
    page.fill("#id_username", "siteowner")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/statistics/")
    assert page.get_by_role("img").first.is_visible()  # the SVG chart
    page.get_by_role("link", name="Last 7 days").click()
    page.wait_for_url("**/admin/statistics/?range=7")
    active = page.locator("[aria-current=page]")
    assert active.inner_text() == "Last 7 days"
    # Every day's label, the last one at the right edge included, is inside the chart.
    chart = page.locator(".stats-chart").first.bounding_box()
    labels = page.locator(".stats-chart text.chart-label").all()
    assert len(labels) >= 4 + 5  # every other day of seven, five gridline values
    for label in labels:
        box = label.bounding_box()
        assert chart["x"] <= box["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"]
    # The dashboard's stylesheet loaded (the admin has no favicon, so console noise is moot).
    assert active.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    screenshot(page, "popularity-dashboard")
