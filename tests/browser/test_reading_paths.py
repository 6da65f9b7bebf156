"""A reader who reads one article, then follows a link in it to another, shows as the path
"A → B" on both articles' statistics pages once the buffered views are flushed."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from popularity.counting.flush import buffer_flush
from tests.browser.axe import axe_required, serious_violations
from tests.browser.conftest import DESKTOP_CHROME, log_in
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_reading_a_then_b_shows_the_path_on_both_articles(
    browser, live_server, new_page, buffered, screenshot
):
    axe_required()
    second = ArticleFactory(title="Breathing before sleep")
    first = ArticleFactory(title="A calmer evening")
    SectionFactory(
        article=first,
        body=f'<p>Then try <a href="{second.get_absolute_url()}">breathing before sleep</a>.</p>',
    )
    reader = browser.new_context(base_url=live_server.url, user_agent=DESKTOP_CHROME)
    page = reader.new_page()
    page.goto(first.get_absolute_url())
    page.get_by_role("link", name="breathing before sleep", exact=True).click()
    page.wait_for_url(f"**{second.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Breathing before sleep")
    reader.close()
    assert buffer_flush().views == 2

    call_command("setup_roles", verbosity=0)
    owner = UserFactory(username="olive", is_staff=True)
    owner.groups.add(Group.objects.get(name="Site owners"))
    page = new_page()
    log_in(page, "olive")
    page.goto(f"/admin/statistics/articles/{first.pk}/?range=7")
    paths = page.locator("#article-paths")
    expect(paths.locator("#read-next-table tbody tr td")).to_have_text(
        ["Breathing before sleep", "1"]
    )
    expect(paths.locator("#onward-rate")).to_contain_text("100%")
    assert serious_violations(page, within=["#article-paths"]) == []
    screenshot(page, "reading-paths-1280")

    paths.get_by_role("link", name="Breathing before sleep").click()
    page.wait_for_url(f"**/admin/statistics/articles/{second.pk}/?range=7")
    expect(page.locator("#came-from-table tbody tr td")).to_have_text(["A calmer evening", "1"])

    page.goto("/admin/statistics/?range=7")
    expect(page.locator("#top-pairs-table tbody tr td")).to_have_text(
        ["A calmer evening", "Breathing before sleep", "1"]
    )
    assert serious_violations(page, within=["#top-pairs"]) == []
