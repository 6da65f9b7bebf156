"""An article's address, its preview, and scheduling or publishing it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.articles.admin_data import (
    ADD_URL,
    CHANGELIST,
    article_data,
    change_url,
    preview_url,
    saved,
)
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


# -- slug stability --------------------------------------------------------------------------


def test_renaming_a_published_article_keeps_its_old_address_working(editor_client, client):
    article = ArticleFactory(slug="kept")
    section = SectionFactory(article=article)
    data = article_data(
        title=article.title,
        slug="changed",
        status="published",
        published_at=article.published_at,
        existing=[section],
    )
    response = editor_client.post(change_url(article), data, follow=True)
    assert "/articles/kept/ now redirects here." in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "changed"
    old = client.get("/articles/kept/")
    assert old.status_code == 301 and old["Location"] == "/articles/changed/"

    # Renamed again: both former addresses go straight to the page, with no chain.
    data["slug"] = "changed-again"
    editor_client.post(change_url(article), data)
    for former in ("kept", "changed"):
        assert client.get(f"/articles/{former}/")["Location"] == "/articles/changed-again/"


def test_a_draft_may_change_its_address(editor_client):
    article = ArticleFactory(draft=True, slug="first-idea")
    data = article_data(
        title=article.title, slug="better-idea", existing=[SectionFactory(article=article)]
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.slug == "better-idea"


# -- preview, schedule, publish -----------------------------------------------------------------


def test_editor_previews_a_draft_with_the_public_template(editor_client, article_with_sections):
    article = article_with_sections
    response = editor_client.get(preview_url(article))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: readers cannot see this article yet." in html
    assert f'<h1 id="article_title">{article.title}</h1>' in html
    assert '<h2 id="first">First</h2>' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert response.resolver_match.view_name == "admin:articles_article_preview"
    assert "read-depth.js" not in html  # a preview is never measured
    # The public address of the draft stays closed.
    assert editor_client.get(article.get_absolute_url()).status_code == 404


def test_the_change_form_links_to_the_preview(editor_client, article_with_sections):
    html = editor_client.get(change_url(article_with_sections)).content.decode()
    assert f'href="{preview_url(article_with_sections)}"' in html
    assert 'name="_saveandpreview"' in html


def test_save_and_preview_goes_to_the_preview(editor_client):
    data = article_data(sections=[{"heading": "A"}], _saveandpreview="Save and preview")
    response = editor_client.post(ADD_URL, data)
    assert response["Location"] == preview_url(Article.objects.get())


def test_anonymous_visitors_are_sent_to_login_not_the_draft(client):
    article = ArticleFactory(draft=True, title="Secret draft")
    response = client.get(preview_url(article))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get(article.get_absolute_url()).status_code == 404


def test_logged_in_readers_who_are_not_staff_never_see_the_draft(client):
    client.force_login(UserFactory())
    article = ArticleFactory(draft=True)
    response = client.get(preview_url(article))
    assert response.status_code == 302 and "Secret" not in response.content.decode()


def test_staff_without_article_rights_get_404(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(preview_url(ArticleFactory(draft=True))).status_code == 404


def test_preview_query_count_does_not_grow_with_sections(
    editor_client, article_with_sections, django_assert_max_num_queries
):
    editor_client.get(preview_url(article_with_sections))  # warm the session and permissions
    with django_assert_max_num_queries(9) as first:  # with the byline and sources
        editor_client.get(preview_url(article_with_sections))
    for position in range(4, 12):
        SectionFactory(article=article_with_sections, position=position)
    with django_assert_max_num_queries(len(first.captured_queries)):
        editor_client.get(preview_url(article_with_sections))


def test_editor_schedules_an_article_that_appears_by_itself(editor_client):
    when = timezone.now() + timedelta(days=2)
    data = article_data(status="published", published_at=when, sections=[{"heading": "A"}])
    response = editor_client.post(ADD_URL, data, follow=True)
    article = Article.objects.get()
    assert article.is_scheduled
    assert "is scheduled: readers will see it from" in response.content.decode()
    assert editor_client.get(article.get_absolute_url()).status_code == 404
    listing = editor_client.get(CHANGELIST).content.decode()
    assert 'article-status-scheduled">Scheduled<' in listing
    # No cron: once the time has come, the same row is public.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert editor_client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("0001-01-01", "The publication date 01/01/0001 is before 1990: check the year"),
        ("0026-05-01", "The publication date 01/05/0026 is before 1990"),
        ("9999-12-31", "The publication date 31/12/9999 is more than 3 years ahead"),
    ],
)
def test_an_implausible_publication_date_is_a_form_error(editor_client, day, message):
    data = article_data(status="published", sections=[{"heading": "A"}])
    data |= {"published_at_0": day, "published_at_1": "09:00:00"}
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["published_at"])
    assert not Article.objects.exists()


def test_an_article_may_be_scheduled_a_few_years_ahead(editor_client):
    when = timezone.now() + timedelta(days=2 * 365)
    data = article_data(status="published", published_at=when, sections=[{"heading": "A"}])
    assert saved(editor_client.post(ADD_URL, data)).is_scheduled


def test_publishing_without_a_date_publishes_now(editor_client):
    data = article_data(status="published", sections=[{"heading": "A"}])
    article = saved(editor_client.post(ADD_URL, data))
    assert article.is_public
    assert editor_client.get(article.get_absolute_url()).status_code == 200
