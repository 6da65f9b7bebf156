"""A search that found nothing shows under the owners' content gaps after a flush, and its
"write this" link opens a new draft titled with the query."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from popularity.counting.searches import searches_flush
from tests.browser.axe import axe_required, serious_violations
from tests.browser.conftest import DESKTOP_CHROME, log_in
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_search_with_no_result_becomes_a_draft_to_write(
    browser, live_server, new_page, buffered, screenshot
):
    axe_required()
    found = ArticleFactory(title="Sleep after a long day")
    reader = browser.new_context(base_url=live_server.url, user_agent=DESKTOP_CHROME)
    page = reader.new_page()
    page.goto("/search/")
    page.get_by_label("Search the articles").fill("Grief at  WORK")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No articles match")).to_be_visible()
    page.get_by_label("Search the articles").fill("sleep")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Sleep after a long day").click()
    page.wait_for_url(f"**{found.get_absolute_url()}?sp=1&sq=sleep")
    reader.close()
    assert searches_flush() == 2

    call_command("setup_roles", verbosity=0)
    owner = UserFactory(username="olive", is_staff=True)
    owner.groups.add(Group.objects.get(name="Site owners"))
    page = new_page()
    log_in(page, "olive")
    page.goto("/admin/statistics/?range=7")
    gaps = page.locator("#content-gaps")
    expect(gaps.locator("tbody tr")).to_have_count(1)
    expect(gaps.locator("tbody tr td").first).to_have_text("grief at work")
    assert serious_violations(page, within=["#content-gaps"]) == []
    screenshot(page, "content-gaps-1280")

    gaps.get_by_role("link", name=re.compile("^Write this")).click()
    page.wait_for_url("**/admin/articles/article/add/?title=Grief+at+work")
    expect(page.locator("#id_title")).to_have_value("Grief at work")
    expect(page.locator("#id_slug")).to_have_value("grief-at-work")
    assert not Article.objects.filter(title="Grief at work").exists()  # nothing saved yet
    # Saved as it opened: a draft to write in.
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_url("**/change/**")
    draft = Article.objects.get(title="Grief at work")
    assert (draft.slug, draft.status) == ("grief-at-work", Article.Status.DRAFT)

    page.goto(f"/admin/statistics/articles/{found.pk}/?range=7")
    searches = page.locator("#article-searches")
    expect(searches.locator("tbody tr td")).to_have_text(["sleep", "1", "1.0"])
    assert serious_violations(page, within=["#article-searches"]) == []
