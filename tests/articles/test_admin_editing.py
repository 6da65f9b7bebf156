"""Writing an article in the admin: the form, its sections, their order and history."""

import re

import pytest
from reversion.models import Version

from articles.models import Article, Section
from tests.articles.admin_data import (
    ADD_URL,
    CHANGELIST,
    article_data,
    change_url,
    saved,
)
from tests.factories import ArticleFactory, SectionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def three_sections() -> list[dict]:
    return [
        {"heading": "Why breath matters", "body": "<p>It is <strong>always</strong> there.</p>"},
        {"heading": "Box breathing", "level": "3", "body": "<p>In 4, hold 4, out 4.</p>"},
        {
            "heading": "Making it a habit",
            "body": '<p>Tie it to the kettle.</p><script>alert("x")</script>'
            '<p><a href="javascript:alert(1)">bad link</a></p>',
        },
    ]


# -- writing ---------------------------------------------------------------------------


def test_editor_creates_an_article_with_three_sections_and_tags(editor_client, editor):
    ArticleFactory(tags=["Stress"])  # an existing tag is reused whatever its case
    response = editor_client.post(
        ADD_URL,
        article_data(
            sections=three_sections(),
            tags=["stress", "breathing", "Breathing "],
            author=str(editor.pk),
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="breathing-through-the-day")
    assert article.author == editor and article.status == "draft"
    assert sorted(article.tags.names()) == ["Stress", "breathing"]
    sections = list(article.sections.order_by("position"))
    assert [(s.position, s.heading, s.level) for s in sections] == [
        (1, "Why breath matters", 2),
        (2, "Box breathing", 3),
        (3, "Making it a habit", 2),
    ]
    assert [s.anchor for s in sections] == [
        "why-breath-matters",
        "box-breathing",
        "making-it-a-habit",
    ]
    assert sections[0].body == "<p>It is <strong>always</strong> there.</p>"
    assert "<script" not in sections[2].body and "javascript:" not in sections[2].body
    # Every admin save keeps a revision with who made it.
    version = Version.objects.get_for_object(article).get()
    assert version.revision.user == editor


def test_add_form_prefills_the_slug_and_shows_the_tools_editors_need(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert "django-admin-prepopulated-fields-constants" in html and '"id_slug"' in html
    assert 'data-counter-target="160"' in html  # the standfirst counter
    assert "data-django-prose-editor-configurable" in html  # the rich-text body
    assert 'data-ajax--url="/admin/articles/article/tags/autocomplete/"' in html
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html


def test_a_title_in_the_address_comes_with_a_free_address(editor_client):
    # "Write this" on the statistics page opens the add form titled with a search.
    ArticleFactory(slug="grief-at-work")
    html = editor_client.get(ADD_URL, {"title": "Grief at work"}).content.decode()
    assert re.search(r'<input[^>]+name="slug"[^>]+value="grief-at-work-2"', html)


def test_tag_autocomplete_offers_existing_tags_most_used_first(editor_client):
    ArticleFactory(tags=["sleep", "stress"])
    ArticleFactory(tags=["stress"])
    ArticleFactory(tags=["kindness"])
    response = editor_client.get(CHANGELIST + "tags/autocomplete/", {"term": "s"})
    assert [r["id"] for r in response.json()["results"]] == ["stress", "kindness", "sleep"]


def test_tag_autocomplete_is_for_staff_only(client):
    response = client.get(CHANGELIST + "tags/autocomplete/", {"term": "s"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_first_section_must_be_a_heading_not_a_subheading_to_publish(editor_client):
    data = article_data(sections=[{"heading": "A", "level": "3"}], status="published")
    response = editor_client.post(ADD_URL, data)
    assert "The first section must be a heading (H2)" in response.content.decode()
    assert not Article.objects.exists()
    # A draft may wait for it (deferred validation): it is checked again on publishing.
    data["status"] = "draft"
    assert saved(editor_client.post(ADD_URL, data)).sections.get().level == 3


def test_untouched_empty_section_forms_are_ignored(editor_client):
    data = article_data(sections=[{"heading": "Only one"}, {"heading": "", "body": "<p></p>"}])
    saved(editor_client.post(ADD_URL, data))
    assert Section.objects.count() == 1


# -- reordering --------------------------------------------------------------------------


def headings(article) -> list[tuple[int, str]]:
    return list(article.sections.order_by("position").values_list("position", "heading"))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # A section takes the number typed for it: First, moved down to 3, goes after the
        # Third that was already there. Numbers come out 1, 2, 3 again.
        ({"First": "3", "Second": "1"}, ["Second", "Third", "First"]),
        # Moved up, it goes before the one there: 1 on the last makes it the first.
        ({"Third": "1"}, ["Third", "First", "Second"]),
    ],
)
def test_sections_reorder_by_their_position_numbers(
    editor_client, article_with_sections, typed, expected
):
    article = article_with_sections
    sections = article.sections.order_by("position")
    data = article_data(
        title=article.title,
        slug=article.slug,
        existing=[
            (s, {"position": typed[s.heading]}) if s.heading in typed else s for s in sections
        ],
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    assert headings(article) == list(enumerate(expected, start=1))


def test_deleting_and_adding_sections_renumbers_cleanly(editor_client, article_with_sections):
    article = article_with_sections
    first, second, third = article.sections.order_by("position")
    data = article_data(
        title=article.title,
        slug=article.slug,
        existing=[first, (second, {"DELETE": "on"}), third],
        sections=[{"heading": "Fourth, added at the end"}, {"heading": "Zeroth", "position": "1"}],
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    # A new section numbered 1 goes first; one left empty goes at the end.
    assert headings(article) == [
        (1, "Zeroth"),
        (2, "First"),
        (3, "Third"),
        (4, "Fourth, added at the end"),
    ]


def test_saving_without_touching_a_section_leaves_it_alone(editor_client, article_with_sections):
    article = article_with_sections
    first = article.sections.order_by("position").first()
    first.body = "<p>One.</p>\n<ul>\n<li>Two</li>\n</ul>"
    first.save()
    # Browsers send textarea line breaks as CRLF; that is not an edit.
    sections = [(s, {"body": s.body.replace("\n", "\r\n")}) for s in article.sections.all()]
    data = article_data(
        title="Only the title changed",
        slug=article.slug,
        standfirst=article.standfirst,
        author=str(article.author_id),
        existing=sections,
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    first.refresh_from_db()
    assert first.body == "<p>One.</p>\n<ul>\n<li>Two</li>\n</ul>"
    comment = Version.objects.get_for_object(article).first().revision.get_comment()
    assert comment == "Changed Title."


def test_change_form_query_count_does_not_grow_with_sections(
    editor_client, article_with_sections, django_assert_num_queries
):
    article = article_with_sections
    article.tags.add("calm", "sleep")
    editor_client.get(change_url(article))  # fills the content-type cache
    # session, user, permissions, article, tags, sections, author choices, revisions, ...
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        editor_client.get(change_url(article))
    for position in range(4, 12):
        SectionFactory(article=article, position=position)
        SourceFactory(article=article)
    article.tags.add("kindness")
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        editor_client.get(change_url(article))


# 13, the primary tag's choices (its tags), renewing the edit lock, its scheduled update,
# the editor's unsaved changes (autosave), the checks' sections, the editorial notes, the
# sources inline's rows and the checks' source keys
# +2 since the Authors rows: the byline rows, and the profiles the empty row offers.
# +1 the medical reviewer's choices (author profiles)
CHANGE_FORM_QUERIES = 24


# -- history: compare and restore ---------------------------------------------------------------


def test_history_compares_and_restores_an_earlier_version(editor_client, editor):
    data = article_data(sections=[{"heading": "Original heading"}], tags=["calm"])
    article = saved(editor_client.post(ADD_URL, data))
    section = article.sections.get()
    data = article_data(
        title="A better title",
        tags=["focus"],
        existing=[(section, {"heading": "Rewritten heading"})],
        sections=[{"heading": "An added section"}],
    )
    assert editor_client.post(change_url(article), data).status_code == 302

    html = editor_client.get(change_url(article)).content.decode()
    assert "Changed Title and Tags." in html and "eddie" in html  # who changed what, on the form

    first, second = Version.objects.get_for_object(article).order_by("pk")
    compare = editor_client.get(
        f"/admin/articles/article/{article.pk}/history/compare/",
        {"version_id1": first.pk, "version_id2": second.pk},
    ).content.decode()
    assert "A better title" in compare and "Breathing through the day" in compare
    assert "Rewritten heading" in compare and "search vector" not in compare

    revision_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
    form_page = editor_client.get(revision_url).content.decode()
    # The form comes filled with the earlier version; saving it restores that version.
    assert 'value="Breathing through the day"' in form_page
    assert 'value="Original heading"' in form_page
    assert '<option value="calm" selected>' in form_page
    assert 'value="An added section"' not in form_page
    assert Article.objects.get().title == "A better title"  # looking changed nothing
    restore = article_data(tags=["calm"], existing=[(section, {"heading": "Original heading"})])
    assert editor_client.post(revision_url, restore).status_code == 302
    article.refresh_from_db()
    assert article.title == "Breathing through the day"
    assert list(article.sections.values_list("heading", flat=True)) == ["Original heading"]
    assert list(article.tags.names()) == ["calm"]


# -- issue 18: the primary tag, and "Updated" only for a change of words --------------------


def form_of(article, **fields) -> dict:
    """The change form as the page sends it, with `fields` changed."""
    current = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "author": str(article.author_id),
        "tags": [tag.name for tag in article.tags.all()],
    }
    return article_data(existing=list(article.sections.all()), **(current | fields))


def test_the_primary_tag_is_chosen_among_the_articles_own_tags(
    editor_client, article_with_sections
):
    article = article_with_sections
    article.tags.add("Sleep", "Stress")
    ArticleFactory(tags=["Unrelated"])
    page = editor_client.get(change_url(article)).content.decode()
    select = page[
        page.index('name="primary_tag"') : page.index("</select>", page.index('name="primary_tag"'))
    ]
    assert [
        name for name in ("Its most used tag", "Sleep", "Stress", "Unrelated") if name in select
    ] == [
        "Its most used tag",
        "Sleep",
        "Stress",
    ]
    assert "The topic this article belongs to first" in page  # the help text

    stress = article.tags.get(name="Stress")
    assert (
        editor_client.post(
            change_url(article), form_of(article, primary_tag=str(stress.pk))
        ).status_code
        == 302
    )
    article.refresh_from_db()
    assert article.primary_tag == stress

    # Removing the primary tag from the tags while keeping it chosen is explained, not saved.
    response = editor_client.post(
        change_url(article), form_of(article, primary_tag=str(stress.pk), tags=["Sleep"])
    )
    assert response.status_code == 200
    assert "The primary tag must be one of the article" in response.content.decode()
    unrelated = ArticleFactory(tags=["Elsewhere"]).tags.get()
    response = editor_client.post(
        change_url(article), form_of(article, primary_tag=str(unrelated.pk))
    )
    assert (
        response.status_code == 200 and "primary_tag" in response.context["adminform"].form.errors
    )


def test_updated_is_set_by_a_change_of_words_only(editor_client, article_with_sections):
    article = article_with_sections
    assert (
        editor_client.post(change_url(article), form_of(article, featured="on")).status_code == 302
    )
    article.refresh_from_db()
    assert article.featured and article.revised_at is None  # not a change of words

    first = article.sections.order_by("position").first()
    data = form_of(article, featured="on")
    data["sections-0-body"] = "<p>Rewritten with care.</p>"
    assert data["sections-0-id"] == str(first.pk)
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.revised_at is not None
    before = article.revised_at

    assert (
        editor_client.post(
            change_url(article), form_of(article, featured="on", standfirst="New words.")
        ).status_code
        == 302
    )
    article.refresh_from_db()
    assert article.revised_at > before
