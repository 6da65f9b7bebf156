"""Comparing two revisions of an article: fields, sections and tags, as an editor reads them."""

import pytest
from reversion.models import Version

from articles.admin.compare import body_text, word_diff
from tests.articles.admin_data import ADD_URL, article_data, change_url, saved

pytestmark = pytest.mark.django_db

LONG_STANDFIRST = (
    "Why faces twitch, how stress and hemifacial spasms are linked, what Botox injections can "
    "and cannot do, and gentle ways to lower the stress behind it."
)


def test_word_diff_marks_only_the_words_that_changed():
    diff = word_diff("lower the stress behind it", "lower the worry behind it")
    assert diff == "lower the <del>stress </del><ins>worry </ins>behind it"


def test_word_diff_shows_a_rewrite_as_old_then_new():
    diff = word_diff("Breathing through the day", "A better title")
    assert diff == "<del>Breathing through the day</del> <ins>A better title</ins>"


def test_word_diff_escapes_what_editors_typed():
    assert word_diff("a <b>", "a <i>") == "a <del>&lt;b&gt;</del><ins>&lt;i&gt;</ins>"


def test_a_long_unchanged_stretch_is_cut_to_its_ends():
    words = " ".join(f"w{n}" for n in range(100))
    diff = word_diff(words + " old", words + " new", shorten=True)
    assert diff.startswith(" … w76 ") and diff.endswith("<del>old</del><ins>new</ins>")


def test_body_text_keeps_paragraphs_and_list_items_apart():
    body = "<p>One &amp; <strong>two</strong>.</p><ul><li>Three</li><li>Four</li></ul>"
    assert body_text(body) == "One & two.\n• Three\n• Four"


@pytest.fixture
def two_revisions(editor_client):
    """Revision 1: sections A, B, C and the tag calm. Revision 2: A's body reworded, C moved
    to the top, B removed, D added, the standfirst and tags changed."""
    sections = [
        {"heading": "Alpha", "body": "<p>Breathe in slowly and count to four.</p>"},
        {"heading": "Bravo", "body": "<p>Hold it.</p>"},
        {"heading": "Charlie", "body": "<p>Let it go.</p>"},
    ]
    data = article_data(sections=sections, standfirst=LONG_STANDFIRST, tags=["calm"])
    article = saved(editor_client.post(ADD_URL, data))
    alpha, bravo, charlie = article.sections.order_by("position")
    data = article_data(
        standfirst=LONG_STANDFIRST.replace("lower the stress", "lower the worry"),
        tags=["focus", "calm"],
        existing=[
            (alpha, {"position": "2", "body": "<p>Breathe in gently and count to five.</p>"}),
            (bravo, {"DELETE": "on"}),
            (charlie, {"position": "1"}),
        ],
        sections=[{"heading": "Delta", "body": "<p>Rest.</p>"}],
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    return article


def compare_page(client, article) -> str:
    first, second = Version.objects.get_for_object(article).order_by("pk")
    response = client.get(
        f"/admin/articles/article/{article.pk}/history/compare/",
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_compare_shows_the_whole_standfirst_with_the_changed_word(editor_client, two_revisions):
    html = compare_page(editor_client, two_revisions)
    assert "gentle ways to lower the <del>stress </del><ins>worry </ins>behind it." in html
    assert "Why faces twitch, how stress and hemifacial spasms" in html


def test_compare_reports_each_section_once_as_moved_added_removed_or_edited(
    editor_client, two_revisions
):
    html = compare_page(editor_client, two_revisions)
    assert "2 sections" not in html  # no leftovers of the generic "related objects" diff
    assert "1 added, 1 removed, 1 moved, 1 edited, 0 unchanged." in html
    assert "Moved from position 3 to 1." in html
    assert "Added at position 3." in html and "<ins>Rest.</ins>" in html
    assert "<del>Bravo</del>" in html and "Removed (was at position 2)." in html
    reworded = "Breathe in <del>slowly </del><ins>gently </ins>and count to <del>four.</del>"
    assert reworded + "<ins>five.</ins>" in html
    # Alpha only shifted down by one as Charlie moved past it: edited, not "moved".
    alpha = html.split("<h3> Alpha </h3>")[1].split("</article>")[0]
    assert "Position 2." in alpha and "Moved" not in alpha
    # The unchanged heading is never shown struck out and added again.
    assert "<del>Alpha" not in html and "<ins>Alpha" not in html


def test_compare_lists_tags_added_and_removed(editor_client, two_revisions):
    html = compare_page(editor_client, two_revisions)
    assert '<ins>focus</ins> <span class="diff-note">added</span>' in html
    assert "<li>calm</li>" in html


def test_compare_shows_dates_plainly(editor_client, two_revisions):
    html = compare_page(editor_client, two_revisions)
    assert "time since that date" not in html
    assert "Restore the version of" in html


def test_compare_query_count_does_not_grow_with_sections(
    editor_client, two_revisions, django_assert_num_queries
):
    article = two_revisions
    first, second = Version.objects.get_for_object(article).order_by("pk")
    url = f"/admin/articles/article/{article.pk}/history/compare/"
    query = {"version_id1": first.pk, "version_id2": second.pk}
    editor_client.get(url, query)  # fills the content-type cache
    # session, user, permissions (2), article, versions (the two, next, previous, and the
    # sections and tag links of each revision), tag names, both revisions and their users
    with django_assert_num_queries(COMPARE_QUERIES):
        editor_client.get(url, query)
    sections = article.sections.order_by("position")
    data = article_data(
        tags=["focus", "calm", "more"],
        existing=[(s, {"heading": f"{s.heading}, again"}) for s in sections],
        sections=[{"heading": f"New {n}"} for n in range(6)],
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    third = Version.objects.get_for_object(article).order_by("pk").last()
    with django_assert_num_queries(COMPARE_QUERIES):
        editor_client.get(url, {"version_id1": second.pk, "version_id2": third.pk})


COMPARE_QUERIES = 18
