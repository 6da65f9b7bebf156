"""Changing what is live, on time, in a real browser: an editor sets an article to unpublish
and it leaves home, tag, feed and sitemap at that minute (then 410); an editor prepares an
update of a live article that readers see only from its minute. The site's clock is moved
(the live server runs in this process), never slept on. axe: 0 serious or critical."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, ArticleUpdate
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.browser.test_editing import write_body
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock(monkeypatch):
    def move_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return move_to


def in_a_while(minutes: int):
    """A whole minute ahead, in the site's time, as an editor types it."""
    moment = timezone.localtime() + timedelta(minutes=minutes)
    return moment.replace(second=0, microsecond=0)


def text_of(page, url: str) -> str:
    response = page.request.get(url)
    assert response.status == 200, url
    return response.text()


@pytest.fixture
def live(editor):
    article = ArticleFactory(
        title="Evening lanterns", slug="evening-lanterns", tags=["calm"], author=editor
    )
    SectionFactory(
        article=article, position=1, heading="Light one", body="<p>Strike the match slowly.</p>"
    )
    ArticleFactory(title="A neighbour that stays", tags=["calm"])
    return article


def test_an_article_expires_and_leaves_every_list_at_its_minute(
    live, new_page, clock, screenshot, console_errors
):
    page = new_page()
    log_in(page)
    page.goto(f"/admin/articles/article/{live.pk}/change/")
    expiry = in_a_while(10)
    page.get_by_label("Unpublish date").fill(expiry.strftime("%Y-%m-%d"))
    page.get_by_label("Unpublish time").fill(expiry.strftime("%H:%M"))
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_load_state("networkidle")
    assert "until" in page.locator(".field-visibility").inner_text()
    screenshot(page, "scheduling-expiry-set")
    assert serious_violations(page) == []
    assert Article.objects.get(pk=live.pk).expires_at == expiry

    reader = new_page()
    places = {"/": "Evening lanterns", "/tags/calm/": "Evening lanterns"}
    places |= {"/feed/": "Evening lanterns", "/sitemap-articles.xml": "/articles/evening-lanterns/"}
    for url, marker in places.items():
        assert marker in text_of(reader, url), url

    clock(expiry - timedelta(seconds=1))
    reader.goto("/")
    assert reader.get_by_role("link", name="Evening lanterns").count() == 1

    clock(expiry + timedelta(seconds=1))
    reader.goto("/")
    assert reader.get_by_role("link", name="Evening lanterns").count() == 0
    assert reader.get_by_role("link", name="A neighbour that stays").count() == 1
    for url, marker in places.items():
        assert marker not in text_of(reader, url), url
    response = reader.goto("/articles/evening-lanterns/")
    assert response is not None and response.status == 410
    assert reader.get_by_role("heading", name="This article is no longer available").is_visible()
    screenshot(reader, "scheduling-gone")
    assert serious_violations(reader) == []

    page.goto("/admin/articles/article/?state=expired")
    assert page.locator(".article-status-expired").inner_text() == "Unpublished"
    # The browser reports the 410 itself as a failed load; nothing else may fail.
    assert [error for error in console_errors if "410 (Gone)" not in error] == []


def test_an_expiry_with_a_redirect_moves_readers(live, new_page, clock):
    target = ArticleFactory(title="Morning lanterns", slug="morning-lanterns")
    Article.objects.filter(pk=live.pk).update(
        expires_at=timezone.now() + timedelta(minutes=5), expired_redirect=target
    )
    clock(timezone.now() + timedelta(minutes=6))
    reader = new_page()
    reader.goto("/articles/evening-lanterns/")
    assert reader.url.endswith("/articles/morning-lanterns/")


def test_a_scheduled_update_goes_live_at_its_minute(
    live, new_page, clock, screenshot, console_errors
):
    reader = new_page()
    reader.goto("/articles/evening-lanterns/")
    assert reader.get_by_text("Strike the match slowly.").is_visible()

    page = new_page()
    log_in(page)
    page.goto(f"/admin/articles/article/{live.pk}/change/")
    prepare = page.get_by_role("link", name="Prepare a scheduled update")
    assert prepare.bounding_box()["height"] >= 32  # a button like the form's others, not a tag
    prepare.click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "scheduling-update-page")
    assert serious_violations(page) == []
    go_live = in_a_while(30)
    page.get_by_label("Go-live date").fill(go_live.strftime("%Y-%m-%d"))
    page.get_by_label("Go-live time").fill(go_live.strftime("%H:%M"))
    page.get_by_role("button", name="Prepare the update").click()
    page.wait_for_load_state("networkidle")

    # The new version: the ordinary form, with only what an update changes.
    assert page.get_by_role("heading", name="The new version of “Evening lanterns”").is_visible()
    assert page.get_by_label("Slug").count() == 0
    page.get_by_label("Title").fill("Evening lanterns, renewed")
    page.locator("#sections-0 details.section-fold > summary").click()  # sections fold
    page.locator("#sections-0 .ProseMirror").click()
    page.keyboard.press("Control+End")
    write_body(page, 0, [" Then let it glow."])
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "scheduling-new-version")
    assert serious_violations(page) == []
    draft = ArticleUpdate.objects.get().draft
    assert draft is not None
    assert "Then let it glow." in draft.sections.get().body

    # Its preview shows the new words; readers still the old ones, at every minute before.
    page.goto(f"/admin/articles/article/{draft.pk}/preview/")
    assert page.get_by_text("Then let it glow.").is_visible()
    for moment in (timezone.now(), go_live - timedelta(seconds=1)):
        clock(moment)
        reader.goto("/articles/evening-lanterns/")
        assert reader.get_by_role("heading", name="Evening lanterns", exact=True).is_visible()
        assert reader.get_by_text("Then let it glow.").count() == 0

    page.goto(f"/admin/articles/article/{live.pk}/change/")
    assert page.get_by_role("heading", name="A scheduled update is waiting").is_visible()
    assert serious_violations(page, within=[".scheduling-note"]) == []
    page.emulate_media(color_scheme="dark")  # its links stay legible on the admin's dark theme
    page.wait_for_timeout(400)  # the admin's links fade to their new colour (a 0.15 s transition)
    assert serious_violations(page, within=[".scheduling-note"]) == []
    page.emulate_media(color_scheme="light")

    clock(go_live + timedelta(seconds=1))
    reader.goto("/articles/evening-lanterns/")
    assert reader.get_by_role("heading", name="Evening lanterns, renewed").is_visible()
    assert reader.get_by_text("Then let it glow.").is_visible()
    reader.goto("/")
    assert reader.get_by_role("link", name="Evening lanterns, renewed").count() == 1
    assert Article.objects.count() == 2  # the draft copy is gone
    assert console_errors == []
