"""What readers see of issue 18's fixes, in a real browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, DailyViewFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLE_STYLE = """e => {
  const link = e.querySelector("a");
  const style = getComputedStyle(e), linkStyle = getComputedStyle(link);
  return {fontSize: style.fontSize, lineHeight: style.lineHeight, margin: style.marginBottom,
          colour: linkStyle.color, decoration: linkStyle.textDecorationLine};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_popular_titles_look_like_the_cards_titles(new_page, screenshot, scheme):
    for title, views in (("Most read of the week", 50), ("Read a little", 5)):
        article = ArticleFactory(title=title)
        DailyViewFactory(article=article, day=timezone.localdate() - timedelta(days=1), views=views)
    page = new_page(375)
    page.emulate_media(color_scheme=scheme)
    page.goto("/")
    card = page.locator(".card .card__title").first.evaluate(TITLE_STYLE)
    page.goto("/popular/7d/")
    ranked = page.locator(".ranking h2").first
    assert ranked.evaluate(TITLE_STYLE) == card
    assert card["decoration"] == "none"
    # The whole item is the link, as a card is.
    box = page.locator(".ranking li").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 5, box["y"] + box["height"] - 5)
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text() == "Most read of the week"
    page.goto("/popular/7d/")
    screenshot(page, f"popular-375-{scheme}")
