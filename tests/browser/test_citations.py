"""Citations in a real browser: a reader follows a footnote to its source and back; an
editor cites a source with the editor's "Cite" button. Both pages pass the axe scan."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.factories import ArticleFactory, SectionFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "/articles/face-twitching-mystery/"


# The top and bottom of the line of text the element with this id is drawn in: the boxes of
# its paragraph's text on the same line as the element's middle.
LINE_OF = """(id) => {
  const marker = document.getElementById(id).getBoundingClientRect();
  const middle = (marker.top + marker.bottom) / 2;
  const range = document.createRange();
  range.selectNodeContents(document.getElementById(id).closest("p, li"));
  const line = [...range.getClientRects()].filter(r => r.top <= middle && middle <= r.bottom);
  return {top: Math.min(...line.map(r => r.top)), bottom: Math.max(...line.map(r => r.bottom))};
}"""


@pytest.mark.parametrize("width", [375, 1280], ids=["phone", "desktop"])
def test_a_reader_follows_a_footnote_to_its_source_and_back(
    new_page, screenshot, console_errors, settings, width
):
    settings.SERVE_MEDIA = True
    call_command("load_demo", stdout=StringIO())
    page = new_page(width=width, height=800)
    page.emulate_media(reduced_motion="reduce")
    page.goto(ARTICLE)

    footnote = page.locator(".prose sup.citation a").first
    source_id = footnote.get_attribute("href").removeprefix("#")
    cite_id = footnote.get_attribute("id")
    # Where a reader taps: the number. (Playwright's own point is the first box the link
    # holds, its visually hidden "Source ", a pixel square just above the number once the
    # link's scroll margin leaves that square on the screen: the paragraph would take it.)
    box = footnote.bounding_box()
    footnote.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(page).to_have_url(re.compile(f"#{source_id}$"))
    entry = page.locator(f"li#{source_id}")
    expect(entry).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Sources", level=2)).to_be_visible()
    screenshot(page, f"citations-{width}-source")

    back = entry.locator(f'a[href="#{cite_id}"]')
    expect(back).to_have_accessible_name(re.compile(r"^Back to citation 1 in “.+”$"))
    back.click()
    expect(page).to_have_url(re.compile(f"#{cite_id}$"))
    expect(page.locator(f"#{cite_id}")).to_be_in_viewport()
    # The whole line of text the citation is in, not only the marker: it was cut off at
    # the top edge on a phone.
    line = page.evaluate(LINE_OF, cite_id)
    assert 0 <= line["top"] and line["bottom"] <= page.viewport_size["height"], line
    # And the marker's :target outline (2 px, 2 px off the link) with it.
    assert page.locator(f"#{cite_id}").bounding_box()["y"] - 4 >= 0
    screenshot(page, f"citations-{width}-back")

    assert page.locator(".sources li").count() >= 3
    assert serious_violations(page) == []
    assert console_errors == []


def test_an_editor_cites_a_source_with_the_cite_button(editor, new_page, console_errors):
    article = ArticleFactory(title="Twitching", draft=True)
    SectionFactory(article=article, heading="Why", body="<p>Stress makes eyelids twitch.</p>")
    SourceFactory(article=article, key="wang-1998", title="Hemifacial spasm")
    page = new_page()
    log_in(page)
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.wait_for_load_state("networkidle")
    page.locator("#sections-0 > details.section-fold > summary").click()  # folded when saved
    body = page.locator("#sections-0 .ProseMirror")
    body.click()
    page.keyboard.press("End")
    page.locator("#sections-0 .prose-menubar__button[data-name=citation]").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Source")).to_have_value("wang-1998 — Hemifacial spasm")
    dialog.get_by_role("button", name="Cite").click()
    expect(body.locator('cite[data-source="wang-1998"]')).to_have_count(1)
    assert serious_violations(page, within=["#sources-group", "#sections-group"]) == []
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_load_state()
    stored = Article.objects.get(pk=article.pk).sections.get().body
    assert stored == (
        '<p>Stress makes eyelids twitch.<cite data-source="wang-1998">wang-1998</cite></p>'
    )
    assert console_errors == []
