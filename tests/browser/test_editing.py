"""An editor writes and publishes an article through the real admin, then reads it as the public."""

import pytest

from articles.models import Article
from tests.browser.conftest import log_in
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


@pytest.fixture
def add_form(editor, new_page):
    """The editor's add form, signed in, with a title, standfirst and first heading."""

    def open_form(title: str):
        page = new_page()
        log_in(page)
        page.goto("/admin/articles/article/add/")
        page.get_by_label("Title").fill(title)
        page.get_by_label("Standfirst").fill("A standfirst.")
        page.locator("#id_sections-0-heading").fill("First")
        return page

    return open_form


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_load_state()


def saved_body(page, title: str) -> str:
    """Save the form; the first section's body as stored."""
    save_and_continue(page)
    return Article.objects.get(title=title).sections.get().body


def test_editor_writes_and_publishes_an_article(editor, new_page, screenshot, console_errors):
    ArticleFactory(tags=["mornings"])  # an existing tag for the autocomplete to offer
    page = new_page()
    log_in(page)
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


def test_markdown_shortcuts_make_lists_and_the_saved_html_is_clean(add_form, console_errors):
    page = add_form("Shortcuts")
    write_body(
        page,
        0,
        # Blank lines between blocks, as people type them; Enter on an empty item ends a list.
        ["1. Breathe in", "\n", "Breathe out", "\n", "\n", "\n", "\n"]
        + ["- Shoulders", "\n", "Jaw", "\n", "\n", "\n"]
        + ["Be **kind** and *slow*."],
    )
    assert saved_body(page, "Shortcuts") == (
        "<ol><li><p>Breathe in</p></li><li><p>Breathe out</p></li></ol>"
        "<ul><li><p>Shoulders</p></li><li><p>Jaw</p></li></ul>"
        "<p>Be <strong>kind</strong> and <em>slow</em>.</p>"
    )
    assert console_errors == []


def test_text_typed_after_a_link_is_not_part_of_it(add_form, console_errors):
    page = add_form("Links")
    write_body(page, 0, ["Read the guide"])
    for _ in "the guide":
        page.keyboard.press("Shift+ArrowLeft")
    page.locator("#sections-0 .prose-menubar__button[data-name=link]").click()
    page.locator("dialog input[name=href]").fill("https://example.org/guide")
    page.locator("dialog button[type=submit]").click()  # the Title left empty
    page.keyboard.press("End")
    page.keyboard.type(", then rest.")
    assert saved_body(page, "Links") == (
        '<p>Read <a href="https://example.org/guide" rel="noopener noreferrer">the guide</a>'
        ", then rest.</p>"
    )
    assert console_errors == []


def test_a_heading_typed_in_a_body_is_refused_with_what_to_do(add_form, screenshot):
    page = add_form("Headings")
    hint = page.locator("#sections-0 .field-body .help")
    assert "Headings start sections" in hint.inner_text() and hint.is_visible()
    write_body(page, 0, ["Intro.", "\n", "## Sleep well", "\n", "Go to bed early."])
    page.get_by_label("Status").select_option("published")  # a draft may keep it for now
    save_and_continue(page)
    error = page.locator("#sections-0 .field-body .errorlist")
    assert "Add another Section" in error.inner_text() and "Sleep well" in error.inner_text()
    screenshot(page, "editing-heading-in-body")
    assert not Article.objects.filter(title="Headings").exists()
