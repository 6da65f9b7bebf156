"""The article list, its bulk actions, and what editors may not do."""

from datetime import timedelta

import pytest
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from tests.articles.admin_data import CHANGELIST
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


# -- the change list ---------------------------------------------------------------------------


def test_change_list_shows_each_state(editor_client):
    ArticleFactory(draft=True, title="A draft")
    ArticleFactory(scheduled=True, title="Later")
    ArticleFactory(title="Live one")
    html = editor_client.get(CHANGELIST).content.decode()
    for state in ("Draft", "Scheduled", "Published"):
        assert f">{state}</span>" in html


def test_change_list_keeps_the_columns_an_editor_scans(editor_client):
    """Title, status (with the medical review under it), date and views; author, tags and
    featured are filters, links on the form."""
    ArticleFactory(title="Live one", tags=["sleep"], featured=True)
    response = editor_client.get(CHANGELIST)
    columns = [str(header["text"]).lower() for header in response.context["result_headers"]]
    assert columns[1:] == ["title", "status", "published at", "views, 7 days", "views, all time"]
    filters = [spec.title for spec in response.context["cl"].filter_specs]
    assert {"status", "tag", "featured", "author", "medical review"} <= set(filters)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "draft"}, ["A draft"]),
        ({"state": "scheduled"}, ["Later"]),
        ({"state": "published"}, ["Live one"]),
        ({"tag": "sleep"}, ["Live one"]),
        ({"featured__exact": "1"}, ["Later"]),
        ({"q": "sleep"}, ["Live one"]),  # a tag name
        ({"q": "gentle summary"}, ["A draft", "Later", "Live one"]),  # the standfirst
        ({"q": "later"}, ["Later"]),
        ({"o": "1"}, ["A draft", "Later", "Live one"]),  # sorted by title
    ],
)
def test_change_list_filters_and_search(editor_client, query, expected):
    ArticleFactory(draft=True, title="A draft")
    ArticleFactory(scheduled=True, title="Later", featured=True)
    ArticleFactory(title="Live one", tags=["sleep"])
    response = editor_client.get(CHANGELIST, query)
    assert [a.title for a in response.context["cl"].result_list] == expected


def test_change_list_query_count_does_not_grow(editor_client, django_assert_num_queries):
    for _ in range(3):
        ArticleFactory(tags=["stress", "sleep"])
    # session, user, groups' permissions, filters' choices, count, page
    with django_assert_num_queries(CHANGELIST_QUERIES):
        editor_client.get(CHANGELIST)
    for _ in range(6):
        ArticleFactory(tags=["kindness"], author=UserFactory())
    with django_assert_num_queries(CHANGELIST_QUERIES):
        editor_client.get(CHANGELIST)


CHANGELIST_QUERIES = 11


# -- bulk actions ----------------------------------------------------------------------------


def run_action(client, action: str, articles) -> str:
    data = {"action": action, "_selected_action": [a.pk for a in articles]}
    return client.post(CHANGELIST, data, follow=True).content.decode()


def test_bulk_publish_unpublish_and_feature(editor_client):
    draft = ArticleFactory(draft=True)
    later = ArticleFactory(draft=True, published_at=timezone.now() + timedelta(days=1))
    html = run_action(editor_client, "publish_selected", [draft, later])
    assert "1 article(s) published, 1 scheduled for their publication time." in html
    draft.refresh_from_db(), later.refresh_from_db()
    assert draft.is_public and later.is_scheduled
    assert Version.objects.get_for_object(draft).first().revision.get_comment() == "Published."

    run_action(editor_client, "feature_selected", [draft])
    draft.refresh_from_db()
    assert draft.featured
    run_action(editor_client, "unfeature_selected", [draft])
    run_action(editor_client, "unpublish_selected", [draft, later])
    draft.refresh_from_db(), later.refresh_from_db()
    assert not draft.featured
    assert draft.status == later.status == "draft"


# -- what editors may not do -------------------------------------------------------------------


def test_editors_cannot_delete_published_articles(editor_client):
    article = ArticleFactory()
    response = editor_client.get(f"/admin/articles/article/{article.pk}/delete/")
    assert response.status_code == 403
    html = run_action(editor_client, "delete_selected", [article, ArticleFactory(draft=True)])
    assert "Published articles can only be deleted by a site owner" in html
    assert Article.objects.count() == 2


def test_editors_can_delete_drafts(editor_client):
    article = ArticleFactory(draft=True)
    response = editor_client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Article.objects.exists()


def test_site_owners_can_delete_published_articles(client, owner):
    client.force_login(owner)
    article = ArticleFactory()
    data = {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"}
    client.post(CHANGELIST, data)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/auth/group/",
        "/admin/axes/accessattempt/",
    ],
)
def test_editors_cannot_reach_user_management(editor_client, editor, url):
    assert editor_client.get(url).status_code == 403
    assert editor_client.get(f"/admin/auth/user/{editor.pk}/change/").status_code == 403


def test_the_admin_index_shows_editors_only_their_work(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert "/admin/articles/article/" in html and "/admin/taggit/tag/" in html
    assert "/admin/auth/" not in html


def test_the_admin_names_the_site_neutrally_and_tags_as_topics(editor_client):
    response = editor_client.get("/admin/")
    html = response.content.decode()
    assert "<title>Articles, tags and people | Happy Inner Self admin</title>" in html
    assert '<a href="/admin/">Happy Inner Self admin</a>' in html
    apps = {app["app_label"]: app["name"] for app in response.context["app_list"]}
    assert apps["taggit"] == "Topics"
    assert "Taggit" not in html and "editing</a>" not in html


def test_the_articles_app_keeps_its_own_config_beside_topics():
    # Two AppConfigs live in articles/apps.py; the articles app must still be ArticlesConfig,
    # whose ready() connects the signals that refresh search vectors and caches.
    from django.apps import apps

    from articles.apps import ArticlesConfig, TopicsConfig

    assert type(apps.get_app_config("articles")) is ArticlesConfig
    assert type(apps.get_app_config("taggit")) is TopicsConfig
