"""Covers as a reader sees them: a related article without a cover gets a designed tile
the size of the covers beside it, never an empty grey box; at 375 and 1,280 px, light and dark.
"""

from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from scripts.make_demo_covers import ALT
from tests.articles.page_reading import days_ago
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


# The highlight colour (--mark) as the tile resolves it, as [r, g, b].
MARK = """tile => {
  const probe = document.createElement("span");
  probe.style.color = getComputedStyle(tile).getPropertyValue("--mark");
  tile.append(probe);
  const rgb = getComputedStyle(probe).color.match(/[\\d.]+/g).slice(0, 3).map(Number);
  probe.remove();
  return rgb;
}"""


def highlight_near_the_letter(tile) -> int:
    """How many of the tile's pixels around its letter are drawn in the highlight colour:
    the letter's box (with a margin of a twentieth of the tile) on the tile photographed
    without the letter, so what sits over it, like a dot on an "i", is what is counted."""
    initial = tile.locator(".tile__initial")
    tile_box, letter = tile.bounding_box(), initial.bounding_box()
    mark = tile.evaluate(MARK)
    initial.evaluate("letter => { letter.style.visibility = 'hidden'; }")
    picture = Image.open(BytesIO(tile.screenshot())).convert("RGB")
    initial.evaluate("letter => { letter.style.visibility = ''; }")
    scale = picture.width / tile_box["width"]
    margin = tile_box["width"] / 20
    left = max(0, round((letter["x"] - tile_box["x"] - margin) * scale))
    top = max(0, round((letter["y"] - tile_box["y"] - margin) * scale))
    right = min(
        picture.width, round((letter["x"] - tile_box["x"] + letter["width"] + margin) * scale)
    )
    bottom = min(
        picture.height, round((letter["y"] - tile_box["y"] + letter["height"] + margin) * scale)
    )
    rgb = picture.crop((left, top, right, bottom)).tobytes()
    pixels = zip(rgb[0::3], rgb[1::3], rgb[2::3], strict=True)
    return sum(
        1 for pixel in pixels if max(abs(a - b) for a, b in zip(pixel, mark, strict=True)) <= 24
    )


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
def test_a_related_article_without_a_cover_gets_a_designed_tile(
    new_page, screenshot, settings, width, scheme
):
    settings.SERVE_MEDIA = True
    cover = Path(django_settings.BASE_DIR) / "content" / "demo" / "covers" / "yoga.jpg"
    article = ArticleFactory(tags=["calm"], published_at=days_ago(5))
    ArticleFactory(
        title="Yoga for a Tired Body",
        tags=["calm"],
        cover=ContentFile(cover.read_bytes(), name="yoga.jpg"),
        cover_alt=ALT["yoga"],
        published_at=days_ago(20),
    )
    ArticleFactory(
        title="The Quiet Strength of Support Groups", tags=["calm"], published_at=days_ago(30)
    )
    for days in (4, 6):  # its previous and next articles (never repeated as related)
        ArticleFactory(tags=["other"], published_at=days_ago(days))
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme)
    page.goto(article.get_absolute_url())
    related = page.locator(".related")
    related.scroll_into_view_if_needed()
    with_cover = related.locator(".card", has=page.locator("img"))
    without = related.locator(".card", has_not=page.locator("img"))
    expect(with_cover.first).to_be_visible()
    expect(without.first).to_be_visible()
    tile = without.first.locator(".tile")
    title = without.first.locator(".card__title").inner_text()
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
    assert highlight_near_the_letter(tile) == 0, "no spot over the letter (a stray dot)"
    screenshot(page, f"covers-related-{width}-{scheme}")
