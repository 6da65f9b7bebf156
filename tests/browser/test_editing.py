"""An editor writes and publishes an article through the real admin, then reads it as the public."""

import pytest

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def write_body(page, section: int, steps) -> None:
    """Type into a section's rich-text editor: strings are typed, tuples are toolbar buttons."""
    editor = page.locator(f"#sections-{section} .ProseMirror")
    editor.click()
    for step in steps:
        if isinstance(step, tuple):
            page.locator(f"#sections-{section} .prose-menubar__button[data-name={step[0]}]").click()
        else:
            page.keyboard.type(step)


def test_editor_writes_and_publishes_an_article(editor, new_page, screenshot, console_errors):
    ArticleFactory(tags=["mornings"])  # an existing tag for the autocomplete to offer
    page = new_page()
    page.set_default_timeout(10_000)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Add", exact=True).first.click()
    page.wait_for_url("**/admin/articles/article/add/")

    page.get_by_label("Title").press_sequentially("Gentle Morning Stretches")
    assert page.get_by_label("Slug").input_value() == "gentle-morning-stretches"
    page.get_by_label("Standfirst").fill("Five minutes of slow stretching to start the day kindly.")
    assert page.locator(".standfirst-counter").inner_text() == "56 of about 160 characters"

    # Tags: pick the existing one from the autocomplete, and create a new one.
    page.locator(".field-tags .select2-selection").click()
    page.keyboard.type("morn")
    page.locator(".select2-results__option", has_text="mornings").first.click()
    page.locator(".field-tags .select2-selection").click()
    page.keyboard.type("stretching,")
    page.keyboard.press("Escape")

    page.get_by_label("Status").select_option("published")

    page.locator("#id_sections-0-heading").fill("Wake the spine")
    write_body(page, 0, ["Roll down ", ("bold",), "slowly", ("bold",), ", one vertebra at a time."])
    page.get_by_role("button", name="Add another Section").click()
    page.locator("#id_sections-1-heading").fill("Open the shoulders")
    write_body(page, 1, [("bulletList",), "Circle them back", "\n", "Then forward"])
    screenshot(page, "editing-article-form")

    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/admin/articles/article/")
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    article = Article.objects.get(slug="gentle-morning-stretches")
    assert article.is_public and sorted(article.tags.names()) == ["mornings", "stretching"]
    assert article.author == editor

    page.goto(article.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "Gentle Morning Stretches"
    assert page.locator("h2#wake-the-spine").inner_text() == "Wake the spine"
    assert page.locator("main section").first.locator("strong").inner_text() == "slowly"
    items = page.locator("main section").nth(1).locator("ul li")
    assert items.all_inner_texts() == ["Circle them back", "Then forward"]
    assert page.locator(".preview-banner").count() == 0
    screenshot(page, "editing-published-article")
    assert console_errors == []
