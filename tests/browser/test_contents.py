"""An article's contents list as a reader meets it: on a phone a closed disclosure that
opens in place, so the text starts within the first screens; on a desktop the whole list,
open. At 375 and 1,280 px, light and dark, with the axe scan in each state."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.axe import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "/articles/face-twitching-mystery/"  # 18 sections: the longest contents list


@pytest.fixture
def article_page(new_page, settings):
    settings.SERVE_MEDIA = True
    call_command("load_demo", stdout=StringIO())

    def open_at(width: int, scheme: str):
        page = new_page(width=width, height=812 if width < 600 else 860)
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        page.goto(ARTICLE)
        return page

    return open_at


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_contents_are_closed_and_open_in_place(
    article_page, screenshot, console_errors, scheme
):
    page = article_page(375, scheme)
    toc = page.get_by_role("navigation", name="In this article")
    toggle = toc.locator("summary")
    first_link = toc.get_by_role("link").first
    expect(toggle).to_be_visible()
    expect(first_link).to_be_hidden()
    closed = toc.bounding_box()
    assert closed["height"] <= 60, "closed, the list is one line"
    text = page.locator(".prose p").first.bounding_box()
    assert text["y"] < closed["y"] + closed["height"] + 250, "the text follows the closed list"
    assert serious_violations(page) == []

    toggle.scroll_into_view_if_needed()  # where the reader's thumb finds it
    closed, before = toc.bounding_box(), page.evaluate("window.scrollY")
    toggle.click()
    expect(first_link).to_be_visible()
    assert toc.get_by_role("link").count() == 18
    assert toc.bounding_box()["y"] == closed["y"], "it opens where it is"
    assert page.evaluate("window.scrollY") == before, "and the page does not move"
    assert serious_violations(page) == []
    screenshot(page, f"contents-375-{scheme}-open")

    # Keyboard: the toggle is focusable and Enter closes it again.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(first_link).to_be_hidden()
    page.keyboard.press("Enter")
    toc.get_by_role("link", name="In Conclusion").last.click()
    expect(page.locator(".prose h2").filter(has_text="In Conclusion").last).to_be_in_viewport()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert console_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_desktop_the_whole_list_shows_under_its_heading(article_page, scheme):
    page = article_page(1280, scheme)
    toc = page.get_by_role("navigation", name="In this article")
    expect(toc.get_by_role("heading", name="In this article")).to_be_visible()
    expect(toc.locator("summary")).to_be_hidden()  # nothing to open: no dead control
    expect(toc.locator("details")).to_have_attribute("open", "")  # and open for screen readers
    links = toc.get_by_role("link")
    assert links.count() == 18
    for index in range(links.count()):
        expect(links.nth(index)).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_wide_screen_the_list_stays_beside_the_text_marking_the_section_read(
    article_page, screenshot, console_errors, scheme
):
    page = article_page(1280, scheme)
    toc = page.get_by_role("navigation", name="In this article")
    prose = page.locator(".prose").bounding_box()
    beside = toc.bounding_box()
    assert beside["x"] >= prose["x"] + prose["width"] + 16, "the list is beside the text"
    middle = prose["x"] + prose["width"] / 2
    assert abs(middle - 640) <= 24, f"the text is centred on the page ({middle:.0f} px)"

    page.locator("#effective-stress-relief-techniques").evaluate("h => h.scrollIntoView()")
    current = toc.locator('a[aria-current="location"]')
    expect(current).to_have_attribute("href", "#effective-stress-relief-techniques")
    expect(current).to_be_in_viewport()
    held = toc.bounding_box()
    assert 0 <= held["y"] <= 48, "the list stays in view while the reader scrolls"
    screenshot(page, f"contents-1280-{scheme}-reading")

    page.locator("#the-power-of-kindness-in-healing").evaluate("h => h.scrollIntoView()")
    expect(current).to_have_attribute("href", "#the-power-of-kindness-in-healing")
    assert toc.locator("a[aria-current]").count() == 1, "one section is being read"

    # What the sidebar offered (Popular Posts, the feeds) now follows the article.
    end = page.locator(".article__footer").bounding_box()
    follow = page.get_by_role("heading", name="Follow along").bounding_box()
    assert follow["y"] > end["y"] + end["height"]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert serious_violations(page) == []
    assert console_errors == [], "the script runs under the site's CSP"


def test_the_list_never_moves_under_the_readers_pointer(article_page, console_errors):
    """It follows the section read, but not while the reader points at it: an entry about to
    be clicked stays under the pointer (the page scrolling must not carry it away)."""
    page = article_page(1280, "light")
    toc = page.get_by_role("navigation", name="In this article")
    assert toc.evaluate("t => t.scrollHeight > t.clientHeight"), "the list scrolls in its box"
    toc.get_by_role("link").first.hover()
    page.locator("#seeking-support-on-the-healing-journey").evaluate("h => h.scrollIntoView()")
    current = toc.locator('a[aria-current="location"]')
    expect(current).to_have_attribute("href", "#seeking-support-on-the-healing-journey")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert toc.evaluate("t => t.scrollTop") == 0, "the list stayed under the pointer"

    page.mouse.move(10, 10)  # the reader goes back to the text and reads on
    page.mouse.wheel(0, 40)
    expect(current).to_be_in_viewport()
    assert toc.evaluate("t => t.scrollTop") > 0, "and the list follows the reading again"
    assert console_errors == []
