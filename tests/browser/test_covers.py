"""Covers as a reader sees them: a related article without a cover gets a designed tile
the size of the covers beside it, never an empty grey box; at 375 and 1,280 px, light and dark.
"""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from scripts.make_demo_covers import ALT
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

VIEWS = [(375, "light"), (375, "dark"), (1280, "light"), (1280, "dark")]

# WCAG contrast of the tile's letter against the tile's own colour.
LETTER_CONTRAST = """tile => {
  const rgb = value => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const probe = document.createElement("span");
  probe.style.color = getComputedStyle(tile).getPropertyValue("--accent-soft");
  document.body.append(probe);
  const background = rgb(getComputedStyle(probe).color);
  probe.remove();
  const letter = rgb(getComputedStyle(tile.querySelector(".tile__initial")).color);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map(c => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const [light, dark] = [luminance(letter), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
def test_a_related_article_without_a_cover_gets_a_designed_tile(
    new_page, screenshot, settings, width, scheme
):
    settings.SERVE_MEDIA = True
    cover = Path(django_settings.BASE_DIR) / "content" / "demo" / "covers" / "yoga.jpg"
    article = ArticleFactory(tags=["calm"])
    ArticleFactory(
        title="Yoga for a Tired Body",
        tags=["calm"],
        cover=ContentFile(cover.read_bytes(), name="yoga.jpg"),
        cover_alt=ALT["yoga"],
    )
    ArticleFactory(title="The Quiet Strength of Support Groups", tags=["calm"])
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme)
    page.goto(article.get_absolute_url())
    related = page.locator(".related")
    related.scroll_into_view_if_needed()
    with_cover = related.locator(".mini-card", has=page.locator("img"))
    without = related.locator(".mini-card", has_not=page.locator("img"))
    expect(with_cover.first).to_be_visible()
    expect(without.first).to_be_visible()
    tile = without.first.locator(".tile")
    title = without.first.locator(".mini-card__title").inner_text()
    initial = tile.locator(".tile__initial")
    expect(initial).to_have_text(title.removeprefix("The ").strip()[0].upper())
    letter, box = initial.bounding_box(), tile.bounding_box()
    assert letter["height"] >= box["height"] * 0.4, "the letter fills the tile"
    image = with_cover.first.locator("picture").bounding_box()
    assert (round(box["width"]), round(box["height"])) == (
        round(image["width"]),
        round(image["width"]),
    ), "the tile takes the place a cover takes"
    assert tile.evaluate(LETTER_CONTRAST) >= 4.5
    screenshot(page, f"covers-related-{width}-{scheme}")
