"""The editors' admin in a real browser: the article list, add and change forms, history and
comparison pass axe-core (no serious or critical finding) at 1,280 and 375 px, light and
dark; the change form's layout at 1,280 px; folded sections that still reorder; restoring
an old revision of a live article. Screenshots of every page go to test-artifacts/."""

from io import StringIO
from pathlib import Path

import pytest
import reversion
from django.conf import settings
from django.core.management import call_command
from reversion.models import Version

import articles.admin  # noqa: F401  (registers the article with django-reversion)
from articles.models import Article
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.browser.words import broken_words

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = Path(settings.BASE_DIR) / "content" / "demo" / "face-twitching-mystery.md"


@pytest.fixture
def article(editor) -> Article:
    """The demo's 18-section article, live, with two revisions: a draft, then the live one
    with its standfirst and first section reworded."""
    call_command("import_articles", str(DEMO), stdout=StringIO())
    article = Article.objects.get(slug="face-twitching-mystery")
    live_standfirst = article.standfirst
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.set_comment("First draft.")
        article.status = Article.Status.DRAFT
        article.standfirst = "Why faces twitch, and what helps."
        article.save()
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.set_comment("Published, with a gentler first section.")
        first = article.sections.get(position=1)
        first.body = first.body.replace("quite distressing", "very unsettling", 1)
        first.save()
        article.status = Article.Status.PUBLISHED
        article.standfirst = live_standfirst
        article.save()
    return article


def signed_in(new_page, *, width: int = 1280, dark: bool = False):
    page = new_page(width=width)
    if dark:
        page.emulate_media(color_scheme="dark")
    log_in(page)
    return page


def versions(article) -> list[Version]:
    """The two revisions the fixture made (the import saved one before them)."""
    return list(Version.objects.get_for_object(article).order_by("pk"))[-2:]


def admin_pages(article) -> dict[str, str]:
    older, newer = versions(article)
    base = f"/admin/articles/article/{article.pk}"
    return {
        "list": "/admin/articles/article/",
        "add": "/admin/articles/article/add/",
        "change": f"{base}/change/",
        "history": f"{base}/history/",
        "compare": f"{base}/history/compare/?version_id1={older.pk}&version_id2={newer.pk}",
    }


@pytest.mark.parametrize(
    ("width", "dark"), [(1280, False), (375, False), (1280, True)], ids=["1280", "375", "dark"]
)
def test_article_admin_pages_pass_axe(article, new_page, screenshot, console_errors, width, dark):
    page = signed_in(new_page, width=width, dark=dark)
    found = {}
    for name, url in admin_pages(article).items():
        page.goto(url)
        page.wait_for_load_state("networkidle")  # the rich-text editors and select2 are up
        screenshot(page, f"admin-{name}-{width}{'-dark' if dark else ''}")
        found[name] = serious_violations(page)
        if name == "compare":
            changed = page.locator(".compare-section .diff-body")
            assert "<del>quite distressing." in changed.inner_html()
            assert "<ins>very unsettling." in changed.inner_html()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
    assert found == {name: [] for name in found}
    assert console_errors == []


@pytest.mark.parametrize("width", [1280, 375])
def test_the_history_never_breaks_a_name_mid_word(article, editor, new_page, width):
    """A long comment (an import's file path) left the "By" column a letter wide: "edi/tor"
    even at 1,280 px."""
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.set_comment(
            "Imported from /srv/happyinnerself/content/imports/2026-11-30-a-long-file-name-"
            "without-spaces-for-the-winter-gratitude-practice.md, with its twelve sources, "
            "three reviewed sections and a new cover photographed in the Alps."
        )
        article.save()
    page = signed_in(new_page, width=width)
    page.goto(f"/admin/articles/article/{article.pk}/history/")
    by = "#change-history tbody td:nth-last-child(2)"  # the column before "What changed"
    assert page.locator(by).first.inner_text() == "eddie"
    assert broken_words(page, by) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_on_a_phone_what_changed_reads_across_the_width(article, new_page, screenshot):
    """Five columns at 375 px left "What changed" a word wide: "Publish/ed"."""
    page = signed_in(new_page, width=375)
    page.goto(f"/admin/articles/article/{article.pk}/history/")
    rows = page.locator("#change-history tbody tr")
    changed = rows.nth(0).locator("td").last
    assert changed.inner_text() == "Published, with a gentler first section."
    assert broken_words(page, "#change-history tbody tr:nth-child(-n+2) td:last-child") == []
    # The date and the name side by side, neither over the other.
    first = "#change-history tbody tr:first-child"
    assert not overlap(box(page, f"{first} th"), box(page, f"{first} td.article-history__by"))
    # Below the version's radios, date and name, as wide as the row.
    date, row = rows.nth(0).locator("th").bounding_box(), rows.nth(0).bounding_box()
    line = changed.bounding_box()
    assert line["y"] >= date["y"] + date["height"] - 1 and line["width"] > row["width"] * 0.9
    # The radios still sit under their headings.
    for column, radio in enumerate(("version_id1", "version_id2")):
        heading = page.locator("#change-history thead th").nth(column).bounding_box()
        button = rows.nth(1).locator(f"input[name={radio}]").bounding_box()
        assert heading["x"] <= button["x"] < heading["x"] + heading["width"], radio
    screenshot(page, "admin-history-375-reflowed")


def box(page, selector: str) -> dict:
    """The rectangle the element's text covers (a heading's box is as wide as the page)."""
    return page.evaluate(
        """selector => {
          const range = document.createRange();
          range.selectNodeContents(document.querySelector(selector));
          const r = range.getBoundingClientRect();
          return {x: r.x, y: r.y, width: r.width, height: r.height};
        }""",
        selector,
    )


def overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_change_form_at_1280_has_room_to_write_and_folds_its_sections(article, new_page):
    page = signed_in(new_page)
    page.goto(f"/admin/articles/article/{article.pk}/change/")

    # The fields use the width there is: the whole title shows.
    for field in ("#id_title", "#id_slug", "#id_cover_alt"):
        assert page.locator(field).bounding_box()["width"] >= 600, field
    title = page.locator("#id_title")
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth"), "the title is cut off"

    # Preview / History / View on site never cover the article's title.
    tools = page.locator(".object-tools").bounding_box()
    assert not overlap(tools, box(page, "#content > h2")), "the object tools cover the title"
    assert not overlap(tools, title.bounding_box())

    # 18 sections, folded under their headings, in order: the page is an outline, not 11,000 px.
    folds = page.locator(".section-row:not(.empty-form) > details.section-fold")
    assert folds.count() == 18
    assert folds.evaluate_all("all => all.filter(d => d.open).length") == 0
    headings = list(article.sections.order_by("position").values_list("heading", flat=True))
    shown = page.locator(".section-row:not(.empty-form) summary .inline_label").all_inner_texts()
    assert shown == headings
    # (with the checks before publishing, the editorial notes and the Authors rows, about
    # 150 px for the demo's two, above the sections, and the table of the demo article's
    # four sources below them; the "substantive change" box; the demo article is health
    # content, so its medical review is unfolded: measured 5,135 px)
    assert page.evaluate("document.documentElement.scrollHeight") < 5300
    heading_input = page.locator("#id_sections-4-heading")
    assert not heading_input.is_visible()
    page.locator("#sections-4 > details > summary").click()
    assert heading_input.is_visible() and heading_input.input_value() == headings[4]
    assert page.locator("#sections-4 .ProseMirror").is_visible()
    page.get_by_role("button", name="Close all").click()
    assert not heading_input.is_visible()
    page.get_by_role("button", name="Open all").click()
    assert folds.evaluate_all("all => all.filter(d => d.open).length") == 18


def test_article_list_at_1280_gives_titles_the_room(article, new_page):
    page = signed_in(new_page)
    page.goto("/admin/articles/article/")
    headers = page.locator("#result_list thead th").all_inner_texts()
    assert [h.strip().lower() for h in headers if h.strip()] == [
        "title",
        "status",
        "published at",
        "views, 7 days",
        "views, all time",
    ]
    title = page.locator("#result_list .field-title").first
    line = title.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    # The demo's longest title took seven lines beside ten columns; now three at most.
    assert title.locator("a").bounding_box()["height"] <= 3 * line + 1, "the title wraps a lot"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_folded_sections_reorder_from_their_position_boxes(article, new_page):
    last = article.sections.get(position=18)
    page = signed_in(new_page)
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.get_by_label(f"Position of section 18, “{last.heading}”").fill("1")
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_url(f"**/admin/articles/article/{article.pk}/change/")
    assert article.sections.get(position=1).pk == last.pk
    first_row = page.locator(".section-row:not(.empty-form)").first
    assert first_row.locator(".inline_label").inner_text() == last.heading
    assert first_row.locator("input.position-input").input_value() == "1"


def test_restoring_a_draft_revision_keeps_the_live_article_live(article, new_page, screenshot):
    published_at = article.published_at
    older, _ = versions(article)
    page = signed_in(new_page)
    page.goto(f"/admin/articles/article/{article.pk}/history/")
    draft_row = page.locator("tr", has_text="First draft.")
    draft_row.get_by_role("link", name="Restore the version of").click()
    page.wait_for_url(f"**/history/{older.pk}/")
    assert page.get_by_label("Standfirst").input_value() == "Why faces twitch, and what helps."
    assert page.get_by_label("Status").input_value() == "published"
    assert "In that version it was a draft" in page.locator(".revert-note").inner_text()
    screenshot(page, "admin-restore-1280")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/admin/articles/article/")
    message = page.locator(".messagelist").inner_text()
    assert "Restored the title, text, sections and tags saved on" in message
    assert "The article is published (since" in message
    article.refresh_from_db()
    assert article.standfirst == "Why faces twitch, and what helps."
    assert article.is_public and article.published_at == published_at


def test_tags_box_fits_a_phone(article, new_page):
    page = signed_in(new_page, width=375)
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.wait_for_load_state("networkidle")  # select2 is up
    row = page.locator(".form-row.field-tags").bounding_box()
    tags = page.locator(".field-tags .select2-container").bounding_box()
    # The row hides what overflows it: the box (and its last tags) used to be cut off there.
    assert tags["x"] + tags["width"] <= row["x"] + row["width"], "the tags box is cut off"
    last_tag = page.locator(".field-tags .select2-selection__choice").last.bounding_box()
    assert last_tag["x"] + last_tag["width"] <= row["x"] + row["width"]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_a_long_standfirsts_counter_is_legible(article, new_page, dark):
    page = signed_in(new_page, dark=dark)
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.get_by_label("Standfirst").fill("A standfirst far too long for search results. " * 5)
    counter = page.locator(".standfirst-counter.is-long")
    assert "over the 160" in counter.inner_text()
    page.wait_for_timeout(400)  # the admin's colour transitions settle
    assert serious_violations(page, within=[".standfirst-counter"]) == []
