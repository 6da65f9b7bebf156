"""One card system and an end of article without repeats, as a reader sees them on the demo
at 375 and 1,280 px, light and dark: every list's pictures (cover or typographic tile) in
one column, at most two topic pills and never the topic of the page, a hero whose headline
has room, no article twice where an article ends, the two boxes there level; axe clean."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.axe import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

VIEWS = [(375, "light"), (375, "dark"), (1280, "light"), (1280, "dark")]
IDS = [f"{width}-{scheme}" for width, scheme in VIEWS]
ARTICLE = "/articles/face-twitching-mystery/"

# Each card's picture box (cover or tile) and its number of topic pills.
CARDS = """cards => cards.map(card => {
  const picture = card.querySelector(".card__image").getBoundingClientRect();
  return {
    x: Math.round(picture.x), width: Math.round(picture.width),
    height: Math.round(picture.height),
    tile: !!card.querySelector(".tile"),
    pills: [...card.querySelectorAll(".tags a")].map(a => a.textContent.trim()),
  };
})"""

# The articles that the end of an article links to, by where they are.
END_LINKS = """() => {
  const of = selector => [...document.querySelectorAll(selector)]
    .map(a => new URL(a.href).pathname).filter(path => path.startsWith("/articles/"));
  return {
    neighbours: of(".neighbours a"),
    related: of(".related .card__title a"),
    popular: of(".popular li a"),
  };
}"""


@pytest.fixture
def demo(settings):
    settings.SERVE_MEDIA = True
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo_views", stdout=StringIO())


def open_page(new_page, width: int, scheme: str, path: str):
    page = new_page(width=width, height=812 if width < 600 else 860)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto(path)
    return page


def assert_tidy(page, name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"
    assert serious_violations(page) == [], name


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=IDS)
def test_every_list_is_one_aligned_column_of_cards(
    new_page, screenshot, console_errors, demo, width, scheme
):
    for path, topic in (("/", None), ("/tags/stress/", "Stress")):
        page = open_page(new_page, width, scheme, path)
        cards = page.locator(".listing .card").evaluate_all(CARDS)
        assert len(cards) >= 5, path
        assert any(card["tile"] for card in cards), "the demo has articles without a cover"
        assert not all(card["tile"] for card in cards)
        shapes = {(card["x"], card["width"], card["height"]) for card in cards}
        assert len(shapes) == 1, f"{path}: covers and tiles in one column, one size: {shapes}"
        for card in cards:
            assert len(card["pills"]) <= 2, f"{path}: {card['pills']}"
            if topic:
                assert topic.casefold() not in (p.casefold() for p in card["pills"]), path
        assert_tidy(page, path)
        screenshot(page, f"cards-{path.strip('/').replace('/', '-') or 'home'}-{width}-{scheme}")

    # Search and /popular/ use the same card.
    page = open_page(new_page, width, scheme, "/search/?q=stress")
    assert page.locator(".results .card").count() >= 3
    assert_tidy(page, "search")
    page = open_page(new_page, width, scheme, "/popular/all/")
    assert page.locator(".ranking .card").count() >= 3
    assert_tidy(page, "popular")
    assert console_errors == []


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=IDS)
def test_the_home_hero_headline_has_room(new_page, screenshot, demo, width, scheme):
    page = open_page(new_page, width, scheme, "/")
    hero = page.locator(".card--hero")
    title = hero.locator(".card__title")
    expect(title).to_be_visible()
    lines = title.evaluate(
        "t => Math.round(t.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(t).lineHeight))"
    )
    size = title.evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
    body = hero.locator(".card__body").bounding_box()
    box = title.bounding_box()
    if width >= 1280:
        assert lines <= 2, f"{lines} lines at {width}px"
        assert box["width"] >= body["width"] * 0.6, "the headline is not squeezed into a corner"
        assert box["y"] + box["height"] <= 860, "the headline stands on the first screen"
        assert size >= 32
    else:
        assert lines <= 5, f"{lines} lines at {width}px"
        assert size >= 22
    screenshot(page, f"cards-hero-{width}-{scheme}")


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=IDS)
def test_the_end_of_an_article_never_shows_an_article_twice(
    new_page, screenshot, console_errors, demo, width, scheme
):
    page = open_page(new_page, width, scheme, ARTICLE)
    page.locator(".article__footer").scroll_into_view_if_needed()
    links = page.evaluate(END_LINKS)
    assert links["neighbours"] and links["related"] and links["popular"], links
    shown = links["neighbours"] + links["related"] + links["popular"]
    assert ARTICLE not in shown, "never the article being read"
    assert len(shown) == len(set(shown)), f"an article shown twice: {links}"

    # The two boxes after it (Popular Posts, Follow along) are level, and as wide.
    boxes = page.locator(".page--article > .sidebar > section").evaluate_all(
        "sections => sections.map(s => s.getBoundingClientRect().toJSON())"
    )
    assert len(boxes) == 2
    first, second = boxes
    if width >= 1280:
        assert first["y"] == second["y"] and first["height"] == second["height"], boxes
        assert abs(first["width"] - second["width"]) <= 1, boxes
    else:
        assert first["width"] == second["width"], "stacked, one above the other"
    assert_tidy(page, "article end")
    screenshot(page, f"cards-article-{width}-{scheme}")
    assert console_errors == []
