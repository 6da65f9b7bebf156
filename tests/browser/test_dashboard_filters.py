"""The owner's dashboard: a tag row filters it, choosing a period keeps the filters, owners'
notes show under their day, and right now lists sources without Redis."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from popularity.models import DayNote
from tests.browser.axe import serious_violations
from tests.browser.conftest import DESKTOP_CHROME
from tests.factories import ArticleFactory, DailyOriginFactory, DailyViewFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_tags_periods_notes_and_right_now(browser, live_server, new_page, screenshot):
    call_command("setup_roles", verbosity=0)
    today = timezone.localdate()
    article = ArticleFactory(title="Why your eyelid twitches", tags=["sleep"])
    ArticleFactory(title="Calm breathing", tags=["calm"])
    DailyViewFactory(article=article, day=today, views=5, unique_readers=5)
    DailyOriginFactory(article=article, day=today, source="Google", views=5, unique_readers=5)
    DayNote.objects.create(day=today, text="Newsletter sent")
    # A reader right now, counted straight into PostgreSQL (no Redis in the tests).
    reader = browser.new_context(base_url=live_server.url, user_agent=DESKTOP_CHROME)
    reader.new_page().goto(article.get_absolute_url(), referer="https://old.reddit.com/r/x/1")
    reader.close()

    owner = UserFactory(username="siteowner", is_staff=True)
    owner.groups.add(Group.objects.get(name="Site owners"))
    for width, scheme in ((375, "dark"), (1280, "light")):
        page = new_page(width=width)
        page.emulate_media(color_scheme=scheme)
        page.goto("/admin/login/?next=/admin/statistics/%3Frange%3D7%26source%3DGoogle")
        page.fill("#id_username", "siteowner")
        page.fill("#id_password", "correct horse battery")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/statistics/?range=7&source=Google")

        page.locator("#tag-table").get_by_role("link", name="sleep").click()
        page.wait_for_url("**/admin/statistics/?range=7&source=Google&tag=sleep")
        assert page.locator("[data-total=views]").inner_text() == "5"
        page.get_by_role("link", name="Last 30 days").click()
        page.wait_for_url("**/admin/statistics/?range=30&source=Google&tag=sleep")
        assert "Tag: sleep" in page.locator(".stats-active-filters").inner_text()

        page.locator(".stats-daily summary").click()
        row = page.locator(f'.stats-daily tr[data-day="{today:%Y-%m-%d}"]')
        assert "Newsletter sent" in row.inner_text()
        assert "Reddit" in page.locator("[data-live=sources]").inner_text()

        found = serious_violations(page, within=["#tag-table", ".stats-daily", ".stats-live"])
        assert found == [], found
        screenshot(page, f"dashboard-filters-{width}-{scheme}")
        page.close()
