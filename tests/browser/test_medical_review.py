"""A health article's medical review, as a reader sees it on a phone and a desktop: the
reviewer's name, credentials and date beside the publication date, readable and with no
serious or critical axe finding."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.axe import axe_required, serious_violations
from tests.browser.conftest import PHONE_DARK_AND_DESKTOP_LIGHT

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "/articles/when-your-eyelid-wont-stop-twitching/"


@pytest.fixture
def demo(settings):
    axe_required()
    settings.SERVE_MEDIA = True
    call_command("load_demo", stdout=StringIO())


@PHONE_DARK_AND_DESKTOP_LIGHT
def test_the_review_line_stands_beside_the_dates_and_passes_axe(
    new_page, screenshot, demo, width, scheme
):
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto(ARTICLE)
    review = page.locator(".byline__review")
    expect(review).to_be_visible()
    expect(review).to_have_text(
        "Medically reviewed by Dr Amira Haddad, MD, consultant neurologist on 3 April 2026"
    )
    published = page.locator(".byline").get_by_text("Published")
    assert published.bounding_box()["y"] <= review.bounding_box()["y"]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    screenshot(page, f"medical-review-{width}-{scheme}")
    assert serious_violations(page) == []
