"""Deferred validation: a draft saves with what only publishing needs still missing."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article
from tests.articles.admin_data import ADD_URL, CHANGELIST, article_data, change_url, saved
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

HEADING_AS_TEXT = "<p>Intro.</p><p>## Sleep well</p>"


def test_a_draft_saves_without_a_standfirst_and_with_unfinished_sections(editor_client):
    data = article_data(
        standfirst="", sections=[{"heading": "Later", "level": "3", "body": HEADING_AS_TEXT}]
    )
    article = saved(editor_client.post(ADD_URL, data))
    assert article.status == "draft" and article.standfirst == ""
    assert "## Sleep well" in article.sections.get().body


@pytest.mark.parametrize("later", [False, True], ids=["now", "scheduled"])
def test_publishing_asks_for_everything_a_draft_could_leave(editor_client, later):
    article = ArticleFactory(draft=True, standfirst="")
    data = article_data(
        title=article.title,
        slug=article.slug,
        standfirst="",
        status="published",
        sections=[{"heading": "Later", "level": "3"}, {"heading": "B", "body": HEADING_AS_TEXT}],
    )
    if later:
        soon = timezone.localdate() + timedelta(days=30)  # a plausible schedule
        data.update(published_at_0=soon.isoformat(), published_at_1="09:00:00")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "needs a standfirst" in errors["standfirst"][0]
    assert "published_at" not in errors
    html = response.content.decode()
    assert "The first section must be a heading (H2)" in html
    assert "is a heading typed as text" in html
    article.refresh_from_db()
    assert article.status == "draft" and not article.sections.exists()


def test_a_draft_without_a_standfirst_previews(editor_client):
    article = ArticleFactory(draft=True, standfirst="", title="Unfinished thoughts")
    response = editor_client.get(f"/admin/articles/article/{article.pk}/preview/")
    assert response.status_code == 200
    assert "Unfinished thoughts" in response.content.decode()


def test_what_the_database_needs_is_still_checked_on_a_draft(editor_client):
    response = editor_client.post(ADD_URL, article_data(title="", slug=""))
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"title", "slug"}
    assert not Article.objects.exists()


def test_the_database_refuses_a_published_article_without_a_standfirst():
    article = ArticleFactory(draft=True, standfirst="")
    article.status = Article.Status.PUBLISHED
    with pytest.raises(IntegrityError), transaction.atomic():
        article.save()


def test_bulk_publish_leaves_drafts_without_a_standfirst_and_says_so(editor_client):
    ready = ArticleFactory(draft=True)
    waiting = ArticleFactory(draft=True, standfirst="")
    data = {"action": "publish_selected", "_selected_action": [ready.pk, waiting.pk]}
    html = editor_client.post(CHANGELIST, data, follow=True).content.decode()
    assert "1 article(s) published." in html
    assert "1 draft(s) not published: they need a standfirst first" in html
    ready.refresh_from_db(), waiting.refresh_from_db()
    assert ready.is_public and waiting.status == "draft"
