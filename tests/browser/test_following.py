"""Following the site: the "Follow along" links lead a person to a page that explains feeds
and gives the addresses to copy, never to a wall of raw XML."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.axe import axe_required
from tests.browser.conftest import PHONE_DARK_AND_DESKTOP_LIGHT
from tests.browser.test_reading import check

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings):
    axe_required()
    settings.SERVE_MEDIA = True
    call_command("load_demo", stdout=StringIO())


@PHONE_DARK_AND_DESKTOP_LIGHT
def test_follow_along_explains_feeds_and_gives_the_address(
    new_page, screenshot, console_errors, live_server, demo, width, scheme
):
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto("/articles/face-twitching-mystery/")
    follow = page.get_by_role("complementary").get_by_role("link", name="Follow in a feed reader")
    follow.click()
    page.wait_for_url("**/follow/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow along")
    check(page, screenshot, f"follow-{width}-{scheme}")
    address = page.get_by_label("Feed address")
    expect(address).to_have_value(f"{live_server.url}/feed/")
    # The address is what a feed reader needs: the site's RSS feed.
    feed = page.request.get(address.input_value())
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert "<rss" in feed.text()

    # A topic's page leads to the same explanation, at that topic's own feed.
    page.goto("/tags/stress/")
    page.get_by_role("link", name="Follow this topic").click()
    page.wait_for_url("**/follow/#topic-stress")
    row = page.locator("#topic-stress")
    expect(row).to_be_in_viewport()
    expect(row.get_by_role("link")).to_have_text(f"{live_server.url}/tags/stress/feed/")
    assert page.evaluate("getComputedStyle(document.querySelector(':target')).outlineStyle") != (
        "none"
    )
    screenshot(page, f"follow-{width}-{scheme}-topic")

    # The footer's link goes there too.
    page.get_by_role("contentinfo").get_by_role("link", name="Follow by RSS").click()
    page.wait_for_url(re.compile(r"/follow/$"))
    assert console_errors == []


def test_no_visible_link_opens_raw_xml(new_page, demo):
    """Feed readers find the feeds in each page's <head>; people get the explanation."""
    page = new_page()
    for path in ("/", "/articles/face-twitching-mystery/", "/tags/stress/", "/tags/"):
        page.goto(path)
        hrefs = page.eval_on_selector_all("body a[href]", "links => links.map(a => a.href)")
        assert not [href for href in hrefs if re.search(r"/feed/(atom/)?$", href)], path
        assert page.locator("head link[rel=alternate][type='application/rss+xml']").count() >= 1
