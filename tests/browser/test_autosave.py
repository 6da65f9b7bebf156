"""Never lose work: an editor's unsaved text survives a closed tab, a crash or a lost connection."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, ArticleAutosave
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)

SAVED = "<p>The saved paragraph.</p>"


def autosaved(response) -> bool:
    return response.url.endswith("/autosave/") and response.request.method == "POST"


def body_editor(page, section: int = 0):
    return page.locator(f"#sections-{section} .ProseMirror")


def save_and_continue(page) -> None:
    """Press Save and wait for the server's answer, not just for the click."""
    with page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and "/admin/articles/" in response.url
            and not response.url.endswith(("/autosave/", "/discard/"))
        )
    ):
        page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_load_state()


def test_closing_the_browser_mid_sentence_and_restoring_the_text(
    editor, new_page, screenshot, console_errors
):
    article = ArticleFactory(draft=True, author=editor, title="Evening walks")
    SectionFactory(article=article, position=1, heading="Why walk", body=SAVED)
    url = f"/admin/articles/article/{article.pk}/change/"
    page = new_page()
    log_in(page)
    page.goto(url)
    page.locator("#sections-0 .section-fold > summary").click()
    body_editor(page).click()
    page.keyboard.press("Control+End")
    # The autosave that carries the whole sentence: on a slow machine one may leave
    # mid-sentence, and closing the browser right after it would lose the rest.
    with page.expect_response(
        lambda response: autosaved(response) and "you notice the" in response.request.post_data
    ) as answer:
        page.keyboard.type(" Then, halfway up the hill, you notice the")
    assert answer.value.ok
    # The page writes its status line after reading the answer, a moment later.
    status = page.locator("[data-autosave-status]")
    expect(status).to_contain_text("Unsaved changes kept at")
    # Saving a draft publishes nothing: the line never says it would.
    expect(status).to_contain_text("Press Save to put them in the article.")
    expect(status).not_to_contain_text("publish")
    article.refresh_from_db()
    assert article.sections.get().body == SAVED  # nothing saved, nothing published

    page.context.close()  # the browser crashes: this context's own copy is gone too

    page = new_page()
    log_in(page)
    page.goto(url)
    offer = page.get_by_role("region", name="Unsaved changes")
    restore = offer.get_by_role("button", name="Restore unsaved changes from")
    expect(restore).to_be_visible()
    screenshot(page, "autosave-offer")
    assert serious_violations(page) == []
    page.emulate_media(color_scheme="dark")
    assert serious_violations(page, within=[".autosave-offer", ".autosave-status"]) == []
    restore.click()
    expect(offer).to_be_hidden()
    expect(body_editor(page)).to_contain_text("you notice the")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Restored the unsaved changes")
    assert article.sections.get().body == SAVED  # still nothing saved until Save

    save_and_continue(page)
    assert "halfway up the hill, you notice the" in article.sections.get().body
    assert not ArticleAutosave.objects.exists()
    assert page.get_by_role("region", name="Unsaved changes").is_hidden()
    assert console_errors == []


def test_a_new_article_written_offline_is_offered_again_in_the_add_form(
    editor, new_page, console_errors
):
    page = new_page()
    log_in(page)
    page.goto("/admin/articles/article/add/")
    context = page.context
    context.set_offline(True)
    page.get_by_label("Title").fill("Written on a train")
    page.locator("#id_sections-0-heading").fill("Between stations")
    body_editor(page).click()
    page.keyboard.type("The signal drops as the train enters the")
    status = page.locator("[data-autosave-status]")
    status.filter(has_text="Offline").wait_for()
    page.close()  # the tab is closed while offline: only this browser has the text
    context.set_offline(False)

    page = context.new_page()
    page.goto("/admin/articles/article/add/")
    page.get_by_role("button", name="Restore unsaved changes from").click()
    assert page.get_by_label("Title").input_value() == "Written on a train"
    assert page.locator("#id_sections-0-heading").input_value() == "Between stations"
    assert "the train enters the" in body_editor(page).inner_text()
    # A draft may be saved without its standfirst (deferred validation).
    save_and_continue(page)
    article = Article.objects.get(title="Written on a train")
    assert article.standfirst == "" and "train enters the" in article.sections.get().body
    assert not ArticleAutosave.objects.exists()

    # Saved: the add form offers nothing any more.
    page.goto("/admin/articles/article/add/")
    page.locator("#id_title").wait_for()
    assert page.locator("[data-autosave-offer]").is_hidden()
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('article-autosave'))")
        == []
    )
    assert [error for error in console_errors if "INTERNET_DISCONNECTED" not in error] == []


def test_discarding_the_unsaved_changes(editor, new_page):
    article = ArticleFactory(draft=True, author=editor, title="Rest days")
    ArticleAutosave.objects.create(
        user=editor, article=article, draft_key="server-key-1", data=[["title", "Rest weeks"]]
    )
    page = new_page()
    log_in(page)
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    with page.expect_response(lambda response: response.url.endswith("/discard/")):
        page.get_by_role("button", name="Discard").click()
    assert page.get_by_label("Title").input_value() == "Rest days"
    assert not ArticleAutosave.objects.exists()
    page.reload()
    assert page.locator("[data-autosave-offer]").is_hidden()


def test_restoring_a_new_article_brings_back_every_section_and_its_tags(
    editor, new_page, console_errors
):
    page = new_page()
    log_in(page)
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Title").fill("Two kinds of rest")
    page.locator(".field-tags .select2-selection").click()
    page.keyboard.type("rest,")
    page.keyboard.press("Escape")
    page.locator("#id_sections-0-heading").fill("Sleep")
    body_editor(page, 0).click()
    page.keyboard.type("Seven hours at least.")
    page.get_by_role("button", name="Add another Section").click()
    page.locator("#id_sections-1-heading").fill("Pauses")
    body_editor(page, 1).click()
    with page.expect_response(autosaved):
        page.keyboard.type("Five minutes every hour, away from the")
    page.context.close()

    page = new_page()
    log_in(page)
    page.goto("/admin/articles/article/add/")
    page.get_by_role("button", name="Restore unsaved changes from").click()
    assert page.locator("#id_sections-1-heading").input_value() == "Pauses"
    assert "away from the" in body_editor(page, 1).inner_text()
    assert "Seven hours" in body_editor(page, 0).inner_text()
    assert page.locator(".field-tags .select2-selection__choice", has_text="rest").is_visible()
    save_and_continue(page)
    article = Article.objects.get(title="Two kinds of rest")
    assert [s.heading for s in article.sections.order_by("position")] == ["Sleep", "Pauses"]
    assert list(article.tags.names()) == ["rest"]
    assert console_errors == []
