"""A reader's journey in a real browser, on a phone and on a desktop.

Home → an article → its table of contents → a tag → search "botox" → the result, with an
axe-core accessibility scan (no serious or critical violation), no horizontal scrolling,
no console error, and a screenshot of every step under test-artifacts/ (git-ignored).
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.axe import axe_required, serious_violations
from tests.browser.conftest import PHONE_DARK_AND_DESKTOP_LIGHT

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "/articles/face-twitching-mystery/"

# How many characters the first lines of the article's paragraphs hold.
CHARACTERS_PER_LINE = """() => {
  const counts = [];
  for (const p of document.querySelectorAll(".prose p")) {
    const text = p.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    const range = document.createRange();
    const lines = new Map();
    for (let i = 0; i < text.length; i++) {
      range.setStart(text, i); range.setEnd(text, i + 1);
      const rect = range.getClientRects()[0];
      if (rect) lines.set(Math.round(rect.top), (lines.get(Math.round(rect.top)) || 0) + 1);
    }
    if (lines.size > 2) counts.push(...[...lines.values()].slice(0, -1));
  }
  return counts;
}"""


@pytest.fixture
def site(settings):
    axe_required()
    settings.SERVE_MEDIA = True  # the live server shows the covers, as the web server would


@pytest.fixture
def demo(site):
    call_command("load_demo", stdout=StringIO())


def settle(page) -> None:
    """Let lazy images load (as a reader scrolling would), then return to the top."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("() => [...document.images].every(image => image.complete)")
    page.evaluate("window.scrollTo(0, 0)")


def check(page, screenshot, name: str) -> None:
    settle(page)
    screenshot(page, name)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
    assert page.locator("h1").count() == 1, f"{name}: one h1"
    broken = page.evaluate("[...document.images].filter(i => !i.naturalWidth).map(i => i.src)")
    assert broken == [], f"{name}: images that did not load"
    serious = serious_violations(page)
    assert serious == [], f"{name}: accessibility violations {serious}"


@PHONE_DARK_AND_DESKTOP_LIGHT
def test_a_reader_goes_from_home_to_an_article_a_tag_and_search(
    new_page, screenshot, console_errors, demo, width, scheme
):
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    shot = f"reading-{width}-{scheme}"

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page, screenshot, f"{shot}-1-home")

    # The skip link appears on the first Tab and takes the focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main_content"

    page.get_by_role("link", name=re.compile("^The Face Twitching Mystery")).first.click()
    page.wait_for_url(f"**{ARTICLE}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^The Face Twitching"))
    assert page.locator(".prose section").count() == 18
    assert page.locator(".prose h3#effective-stress-relief-techniques").count() == 1
    check(page, screenshot, f"{shot}-2-article")
    if width >= 1024:
        lines = page.evaluate(CHARACTERS_PER_LINE)
        average = sum(lines) / len(lines)
        assert 65 <= average <= 75, f"{average:.0f} characters a line"

    toc = page.get_by_role("navigation", name="In this article")
    if width < 960:  # on phones the contents list is a disclosure, closed at first
        toc.locator("summary").click()
    toc.get_by_role("link", name="Effective Stress-Relief Techniques").click()
    expect(page).to_have_url(re.compile("#effective-stress-relief-techniques$"))
    heading = page.locator("#effective-stress-relief-techniques")
    expect(heading).to_be_in_viewport()
    assert heading.bounding_box()["y"] < 200, "the section starts near the top of the screen"
    page.screenshot(path=str(_artifact(f"{shot}-3-toc-jump")))  # what the reader sees now

    page.locator(".filed").get_by_role("link", name="Stress", exact=True).click()
    page.wait_for_url("**/tags/stress/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stress")
    assert page.locator("main article").count() >= 5
    check(page, screenshot, f"{shot}-4-tag")

    search = page.get_by_role("searchbox", name="Search articles")
    search.fill("botox")
    search.press("Enter")
    page.wait_for_url("**/search/?q=botox")
    results = page.locator(".result")
    expect(results.first).to_contain_text("Face Twitching Mystery")
    expect(results.first.locator("mark").first).to_have_text(re.compile("botox", re.I))
    check(page, screenshot, f"{shot}-5-search")

    # A result's link says which result it was (counted for the owners' content gaps); the
    # article's canonical address stays the bare one.
    results.first.get_by_role("link").click()
    page.wait_for_url(re.compile(re.escape(ARTICLE) + r"\?sp=1&sq=botox$"))
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical.endswith(ARTICLE)

    if width < 600:  # the narrowest phones still read without scrolling sideways
        page.set_viewport_size({"width": 320, "height": 640})
        for url in ("/", ARTICLE, "/tags/", "/search/?q=botox"):
            page.goto(url)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} at 320px scrolls sideways by {overflow}px"
        screenshot(page, f"{shot}-6-search-320")
    assert console_errors == []


def _artifact(name: str) -> Path:
    folder = Path(django_settings.BASE_DIR) / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder / f"{name}.png"


def test_the_not_found_page_is_calm_and_helpful(new_page, screenshot, console_errors, site):
    from tests.factories import ArticleFactory

    ArticleFactory(tags=["sleep", "stress"])
    page = new_page(width=375)
    response = page.goto("/articles/no-such-thing/")
    assert response.status == 404
    console_errors.remove(  # the browser reports the page's own 404; nothing else may fail
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn’t find that page")
    check(page, screenshot, "not-found-375")
    page.locator("main").get_by_role("link", name="All topics").click()
    page.wait_for_url("**/tags/")
    check(page, screenshot, "topics-375")
    assert console_errors == []
