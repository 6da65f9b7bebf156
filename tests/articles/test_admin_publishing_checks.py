"""The checks before publishing on the change form, on publishing (form, bulk action, service),
and editorial notes: shown to editors, never to readers."""

import pytest
from django.contrib.auth.models import Permission
from reversion.models import Version

from articles import services
from articles.models import Article, EditorialNote
from articles.publishing_checks import PublishingBlocked
from tests.articles.admin_data import ADD_URL, CHANGELIST, article_data, change_url, saved
from tests.articles.conftest import image_file
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "<p>Breathe in slowly, and breathe out even more slowly.</p>"


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def section_errors(response) -> list:
    formsets = response.context["inline_admin_formsets"]
    formset = next(f for f in formsets if f.formset.prefix == "sections")
    return [form.errors for form in formset.formset.forms]


# -- the panel -------------------------------------------------------------------------------


def test_the_panel_lists_what_to_fix_with_links_to_the_fields(editor_client, settings):
    settings.PUBLISHING_CHECKS_BLOCK = ["empty_sections"]
    article = ArticleFactory(draft=True, title="Short")
    SectionFactory(article=article, position=1, heading="Empty one", body="")
    html = editor_client.get(change_url(article)).content.decode()
    assert "Before you publish" in html
    assert "1 to fix before publishing:" in html
    assert '<a href="#sections-0">Section 1 (“Empty one”) has a heading and no text' in html
    assert '<a href="#id_title">The title has 5 characters' in html
    assert 'href="#id_primary_tag"' in html
    # The links lead somewhere on the page.
    assert 'id="sections-0"' in html and 'id="id_title"' in html and 'id="id_primary_tag"' in html


def test_the_panel_is_refreshed_by_saving(editor_client):
    article = ArticleFactory(draft=True, title="Short")
    section = SectionFactory(article=article, position=1, body=BODY)
    data = article_data(
        title="A title long enough for every search result",
        slug=article.slug,
        standfirst=article.standfirst,
        existing=[section],
        _continue="1",
    )
    response = editor_client.post(change_url(article), data, follow=True)
    html = response.content.decode()
    assert "The title has" not in html
    assert "The standfirst has" in html


def test_a_new_article_has_no_panel_yet(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert "Before you publish" not in html


# -- publishing from the form ------------------------------------------------------------------


def cover_without_alt(**fields) -> dict:
    return article_data(
        **{"cover": image_file(), "cover_alt": "", "sections": [{"heading": "A", "body": BODY}]}
        | fields
    )


def test_a_draft_with_a_cover_and_no_alt_text_is_saved(editor_client):
    article = saved(editor_client.post(ADD_URL, cover_without_alt()))
    assert article.cover and article.cover_alt == ""
    html = editor_client.get(change_url(article)).content.decode()
    assert '<a href="#id_cover_alt">The cover image has no alt text' in html
    assert "Must fix:" in html


def test_a_missing_alt_text_blocks_publishing_when_set_to(editor_client, settings, media_files):
    settings.PUBLISHING_CHECKS_BLOCK = ["alt_text"]
    response = editor_client.post(ADD_URL, cover_without_alt(status="published"))
    assert response.status_code == 200
    assert "The cover image has no alt text" in str(form_errors(response)["cover_alt"])
    assert "Not published" in str(form_errors(response)["__all__"])
    assert not Article.objects.exists()
    assert media_files() == []


def test_a_missing_alt_text_is_a_warning_otherwise(editor_client, settings):
    settings.PUBLISHING_CHECKS_BLOCK = []
    article = saved(editor_client.post(ADD_URL, cover_without_alt(status="published")))
    assert article.is_public
    html = editor_client.get(change_url(article)).content.decode()
    assert "Nothing stops publishing." in html
    assert "Consider:</span>\n" in html or "Consider:" in html
    assert "The cover image has no alt text" in html


def test_a_section_error_blocks_publishing_on_its_section(editor_client, settings):
    settings.PUBLISHING_CHECKS_BLOCK = ["empty_sections", "external_links"]
    article = ArticleFactory(draft=True)
    first = SectionFactory(article=article, position=1, body=BODY)
    data = article_data(
        slug=article.slug,
        status="published",
        existing=[first],
        sections=[
            {"heading": "Nothing here", "body": ""},
            {"heading": "Link", "body": '<p><a href="example.org">there</a></p>'},
        ],
    )
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    errors = section_errors(response)
    assert errors[0] == {}
    assert "has a heading and no text" in str(errors[1]["body"])
    assert "has no https:// in front" in str(errors[2]["body"])
    article.refresh_from_db()
    assert article.status == "draft"
    assert article.sections.count() == 1


def test_a_draft_is_never_blocked(editor_client, settings):
    settings.PUBLISHING_CHECKS_BLOCK = ["empty_sections", "primary_tag", "alt_text"]
    article = saved(editor_client.post(ADD_URL, cover_without_alt(sections=[{"heading": "A"}])))
    assert article.status == "draft"


def test_a_live_article_cannot_be_saved_with_a_blocking_error(editor_client, settings):
    settings.PUBLISHING_CHECKS_BLOCK = ["primary_tag"]
    article = ArticleFactory(tags=["calm"])
    section = SectionFactory(article=article, position=1, body=BODY)
    data = article_data(
        slug=article.slug, status="published", existing=[section], tags=["calm"], primary_tag=""
    )
    response = editor_client.post(change_url(article), data)
    assert "No primary tag" in str(form_errors(response)["primary_tag"])


# -- publishing in bulk and by the service -----------------------------------------------------


def test_the_bulk_action_publishes_only_what_nothing_blocks(editor_client, settings):
    settings.PUBLISHING_CHECKS_BLOCK = ["empty_sections"]
    ready = ArticleFactory(draft=True, title="Ready")
    SectionFactory(article=ready, body=BODY)
    empty = ArticleFactory(draft=True, title="Half written")
    SectionFactory(article=empty, heading="To do", body="")
    data = {"action": "publish_selected", "_selected_action": [ready.pk, empty.pk]}
    html = editor_client.post(CHANGELIST, data, follow=True).content.decode()
    assert "“Half written” was not published: Section 1 (“To do”) has a heading" in html
    assert "1 article(s) published" in html
    ready.refresh_from_db(), empty.refresh_from_db()
    assert ready.is_public and empty.status == "draft"


def test_the_service_refuses_to_publish(settings):
    settings.PUBLISHING_CHECKS_BLOCK = ["alt_text"]
    article = ArticleFactory(draft=True, cover=image_file(), cover_alt="")
    with pytest.raises(PublishingBlocked):
        services.article_publish(article=article)
    article.refresh_from_db()
    assert article.status == "draft"
    article.cover_alt = "A teal square"
    services.article_publish(article=article)
    assert Article.objects.get().is_public


# -- editorial notes ---------------------------------------------------------------------------

SECRET = "Check the quote with Dr Quillfeather before Friday"


def add_note(client, article, text=SECRET):
    section = article.sections.first() or SectionFactory(article=article, position=1, body=BODY)
    data = article_data(
        title=article.title,
        slug=article.slug,
        standfirst=article.standfirst,
        status=article.status,
        published_at=article.published_at,
        tags=[tag.name for tag in article.tags.all()],
        existing=[section],
        new_editorial_note=text,
    )
    return client.post(change_url(article), data)


def test_an_editor_adds_a_note_and_sees_it_on_the_form(editor_client, editor):
    article = ArticleFactory(draft=True)
    assert add_note(editor_client, article).status_code == 302
    note = EditorialNote.objects.get()
    assert (note.article, note.author, note.text) == (article, editor, SECRET)
    html = editor_client.get(change_url(article)).content.decode()
    assert "Editorial notes" in html and SECRET in html and "eddie" in html
    assert 'name="new_editorial_note"' in html


def test_a_blank_note_adds_nothing(editor_client):
    article = ArticleFactory(draft=True)
    assert add_note(editor_client, article, text="   ").status_code == 302
    assert not EditorialNote.objects.exists()


def test_a_note_too_long_is_a_form_error(editor_client):
    article = ArticleFactory(draft=True)
    response = add_note(editor_client, article, text="x" * 5001)
    assert response.status_code == 200
    assert "at most 5000 characters" in str(form_errors(response)["new_editorial_note"])
    assert not EditorialNote.objects.exists()


def test_a_note_never_reaches_readers(editor_client, client, commit_callbacks):
    article = ArticleFactory(tags=["calm"], title="A calm morning")
    commit_callbacks(add_note, editor_client, article)
    assert EditorialNote.objects.filter(text=SECRET).exists()
    pages = [
        article.get_absolute_url(),
        "/",
        "/tags/calm/",
        "/feed/",
        "/feed/atom/",
        "/tags/calm/feed/",
        "/sitemap.xml",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert b"Quillfeather" not in response.content, page
    # Search finds the article by its words, never by its notes'.
    assert b"A calm morning" in client.get("/search/?q=calm").content
    assert b"A calm morning" not in client.get("/search/?q=Quillfeather").content
    # Nor in the article's revisions (the history readers never see, but restores use).
    for version in Version.objects.get_for_object(article):
        assert "Quillfeather" not in version.serialized_data


def test_someone_who_may_only_view_articles_sees_notes_but_cannot_add_one(client):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    article = ArticleFactory(draft=True)
    EditorialNote.objects.create(article=article, author=viewer, text="Seen")
    client.force_login(viewer)
    response = client.get(change_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Seen" in html and 'name="new_editorial_note"' not in html


# -- the panel as the form stands (publishing-checks.js) ---------------------------------------


def checks_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/checks/"


def test_the_panel_follows_the_form_unsaved(editor_client):
    article = ArticleFactory(draft=True, title="A title long enough for every search result")
    section = SectionFactory(article=article, position=1, body=BODY)
    data = article_data(
        title="Short",
        slug=article.slug,
        standfirst=article.standfirst,
        existing=[(section, {"position": "2"})],
        sections=[{"heading": "Nothing yet", "body": "<p></p>", "position": "1", "level": "3"}],
    )
    response = editor_client.post(checks_url(article), data)
    assert response.status_code == 200
    html = response.json()["html"]
    assert '<a href="#id_title">The title has 5 characters' in html
    # The new section (#2 on the form) typed as first is checked first.
    assert '<a href="#sections-1">Section 2 (“Nothing yet”) has a heading and no text' in html
    assert '<a href="#id_sections-1-level">Section 2 (“Nothing yet”) is a subheading' in html
    assert 'data-checks-url="/admin/articles/article/' in html
    article.refresh_from_db()
    assert article.title != "Short" and article.sections.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"sections-TOTAL_FORMS": "many", "sections-0-level": "x"},
        {"sections-TOTAL_FORMS": "99999999999", "title": "x" * 10_000},
        {"sections-TOTAL_FORMS": "1", "sections-0-heading": "A", "sections-0-position": "-3"},
    ],
)
def test_odd_form_data_never_breaks_the_panel(editor_client, data):
    article = ArticleFactory(draft=True)
    response = editor_client.post(checks_url(article), data)
    assert response.status_code == 200
    assert "html" in response.json()


def test_the_panel_is_only_for_those_who_may_change_the_article(editor_client, client):
    article = ArticleFactory(draft=True)
    assert editor_client.get(checks_url(article)).status_code == 405
    assert editor_client.post(checks_url(Article(pk=999_999))).status_code == 404
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    assert client.post(checks_url(article)).status_code == 404
