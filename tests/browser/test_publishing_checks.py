"""Checks before publishing and editorial notes, as an editor meets them in the real admin."""

import pytest

from articles.models import Article, EditorialNote
from tests.articles.conftest import image_file
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PANELS = [".publishing-checks-module", ".editorial-notes-module"]


@pytest.fixture
def article_without_alt(editor):
    article = ArticleFactory(
        draft=True,
        title="A quiet walk before the working day begins",
        cover=image_file(),
        cover_alt="",
        author=editor,
    )
    SectionFactory(article=article, position=1, heading="Step out", body="<p>Walk slowly.</p>")
    SectionFactory(article=article, position=2, heading="Come back", body="")
    return article


def open_form(new_page, article):
    page = new_page()
    log_in(page)
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    return page


def save_as_published(page) -> None:
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_load_state()


def test_a_missing_alt_text_blocks_publishing_when_set_to(
    settings, article_without_alt, new_page, screenshot, console_errors
):
    settings.PUBLISHING_CHECKS_BLOCK = ["alt_text"]
    page = open_form(new_page, article_without_alt)
    panel = page.locator("#publishing-checks")
    error = panel.locator(".publishing-check-error")
    assert error.count() == 1
    assert error.inner_text().startswith("Must fix: The cover image has no alt text")
    assert "1 to fix before publishing" in panel.inner_text()
    assert serious_violations(page, within=PANELS) == []
    screenshot(page, "publishing-checks-panel")

    # The finding leads to its field.
    error.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_cover_alt"
    # A section's finding opens the folded section and puts the cursor in its text.
    empty = panel.get_by_role("link", name="Section 2 (“Come back”) has a heading and no text")
    assert not page.locator("#sections-1 details.section-fold").evaluate("d => d.open")
    empty.click()
    assert page.locator("#sections-1 details.section-fold").evaluate("d => d.open")
    assert page.locator("#sections-1 .ProseMirror").evaluate("e => e === document.activeElement")

    save_as_published(page)
    assert page.locator(".errornote").is_visible()
    alt_row = page.locator(".field-cover_alt")
    assert "The cover image has no alt text" in alt_row.locator(".errorlist").inner_text()
    assert "Not published" in page.locator(".errorlist.nonfield").inner_text()
    article_without_alt.refresh_from_db()
    assert article_without_alt.status == Article.Status.DRAFT
    assert serious_violations(page) == []
    assert console_errors == []


def test_a_missing_alt_text_is_a_warning_otherwise(
    settings, article_without_alt, new_page, console_errors
):
    settings.PUBLISHING_CHECKS_BLOCK = []
    page = open_form(new_page, article_without_alt)
    panel = page.locator("#publishing-checks")
    assert panel.locator(".publishing-check-error").count() == 0
    warning = panel.locator(".publishing-check-warning", has_text="The cover image has no alt text")
    assert warning.inner_text().startswith("Consider:")
    assert "Nothing stops publishing." in panel.inner_text()

    save_as_published(page)
    assert page.locator(".errornote").count() == 0
    article_without_alt.refresh_from_db()
    assert article_without_alt.is_public
    # Still said after saving: the panel is refreshed with the saved article.
    assert page.locator("#publishing-checks", has_text="The cover image has no alt text").count()
    assert console_errors == []


def test_the_panel_follows_the_form_as_the_editor_types(
    article_without_alt, new_page, console_errors
):
    page = open_form(new_page, article_without_alt)
    panel = page.locator("#publishing-checks")
    assert "The title has" not in panel.inner_text()
    page.get_by_label("Title").fill("Walk")
    page.get_by_label("Cover alt").fill("A path through a park in the morning")
    title = page.locator("#publishing-checks a[href='#id_title']")
    title.wait_for()
    assert title.inner_text().startswith("The title has 4 characters")
    assert "The cover image has no alt text" not in page.locator("#publishing-checks").inner_text()
    # Nothing was saved, and the refreshed panel's links still lead to their fields.
    article_without_alt.refresh_from_db()
    assert article_without_alt.title.startswith("A quiet walk")
    title.click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    assert console_errors == []


def test_an_editor_leaves_a_note_only_editors_see(editor, article_without_alt, new_page):
    page = open_form(new_page, article_without_alt)
    assert "No notes yet." in page.locator(".editorial-notes-module").inner_text()
    page.get_by_label("Add a note").fill("Ask Sam for a photo with people in it.")
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_load_state()
    notes = page.locator(".editorial-notes-module")
    assert "Ask Sam for a photo with people in it." in notes.inner_text()
    assert "eddie" in notes.inner_text()
    assert page.get_by_label("Add a note").input_value() == ""
    assert serious_violations(page, within=PANELS) == []
    assert EditorialNote.objects.get().author == editor

    # Published, the article's page says nothing of it.
    article_without_alt.cover_alt = "A path through a park"
    article_without_alt.status = Article.Status.PUBLISHED
    article_without_alt.published_at = article_without_alt.created_at
    article_without_alt.save()
    page.goto(article_without_alt.get_absolute_url())
    assert "Ask Sam" not in page.content()
