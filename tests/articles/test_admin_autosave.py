"""Autosave: the article form kept while an editor writes, offered back, never the article."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from reversion.models import Version

from articles.autosaves import AUTOSAVE_MAX_BYTES
from articles.models import Article, ArticleAutosave
from tests.articles.admin_data import ADD_URL, article_data, change_url, saved
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/articles/article/autosave/"
DISCARD_URL = "/admin/articles/article/autosave/discard/"
KEY = "draft-key-0123456789"
FORM = [["title", "Half-written title"], ["sections-0-body", "<p>In the middle of a sen</p>"]]


def send(client, body, url=URL, **extra):
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    return client.post(url, body, content_type="application/json", **extra)


@pytest.fixture
def article(editor):
    article = ArticleFactory(author=editor, title="As saved", standfirst="Saved standfirst.")
    SectionFactory(article=article, position=1, body="<p>Saved text.</p>")
    return article


def test_autosave_keeps_the_form_and_never_touches_the_article(editor_client, editor, article):
    before = Article.objects.values().get(pk=article.pk)
    response = send(editor_client, {"article": article.pk, "key": KEY, "data": FORM})
    assert response.status_code == 200
    assert "saved_at" in response.json()
    autosave = ArticleAutosave.objects.get()
    assert (autosave.user, autosave.article, autosave.data) == (editor, article, FORM)
    # The article, its sections and its history are as they were: nothing published.
    assert Article.objects.values().get(pk=article.pk) == before
    assert article.sections.get().body == "<p>Saved text.</p>"
    assert not Version.objects.get_for_object(article).exists()

    # Writing on: the same one row, updated.
    send(editor_client, {"article": article.pk, "key": KEY, "data": FORM[:1]})
    assert ArticleAutosave.objects.get().data == FORM[:1]


def test_the_change_form_offers_a_newer_autosave_and_a_save_deletes_it(editor_client, article):
    send(editor_client, {"article": article.pk, "key": KEY, "data": FORM})
    config = editor_client.get(change_url(article)).context["autosave"]["config"]
    assert config["offer"]["data"] == FORM
    assert config["article"] == article.pk and config["url"] == URL

    data = article_data(title="As saved", slug=article.slug, standfirst="Saved standfirst.")
    editor_client.post(change_url(article), data)
    assert not ArticleAutosave.objects.exists()
    assert editor_client.get(change_url(article)).context["autosave"]["config"]["offer"] is None


def test_an_autosave_older_than_the_last_save_is_not_offered(editor_client, article):
    send(editor_client, {"article": article.pk, "key": KEY, "data": FORM})
    article.save()  # someone saved since: their text would be overwritten
    assert editor_client.get(change_url(article)).context["autosave"]["config"]["offer"] is None


def test_an_autosave_is_offered_to_its_author_only(client, editor_client, article, owner):
    send(editor_client, {"article": article.pk, "key": KEY, "data": FORM})
    client.force_login(owner)
    assert client.get(change_url(article)).context["autosave"]["config"]["offer"] is None


def test_a_new_articles_autosave_is_offered_on_the_add_form_and_the_add_deletes_it(
    editor_client,
):
    send(editor_client, {"article": None, "key": KEY, "data": FORM})
    offer = editor_client.get(ADD_URL).context["autosave"]["config"]["offer"]
    assert offer["key"] == KEY and offer["data"] == FORM

    saved(editor_client.post(ADD_URL, {**article_data(), "_autosave_key": KEY}))
    assert not ArticleAutosave.objects.exists()


def test_discard_forgets_the_autosave(editor_client, article):
    send(editor_client, {"article": article.pk, "key": KEY, "data": FORM})
    response = send(
        editor_client, {"article": article.pk, "key": KEY, "discard": True}, DISCARD_URL
    )
    assert response.json() == {"discarded": 1}
    assert not ArticleAutosave.objects.exists()


def test_autosaves_older_than_30_days_are_swept_away(editor_client, editor, article):
    ArticleAutosave.objects.create(
        user=editor, draft_key="old-key-123", data=[], saved_at=timezone.now() - timedelta(days=31)
    )
    send(editor_client, {"article": article.pk, "key": KEY, "data": FORM})
    assert list(ArticleAutosave.objects.values_list("draft_key", flat=True)) == [KEY]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        [],
        {"article": None, "data": FORM},  # no key
        {"article": None, "key": "short", "data": FORM},
        {"article": None, "key": "bad key with spaces", "data": FORM},
        {"article": None, "key": KEY, "data": "title=x"},
        {"article": None, "key": KEY, "data": [["title"]]},
        {"article": None, "key": KEY, "data": [["title", 3]]},
        {"article": None, "key": KEY, "data": [["", "x"]]},
        {"article": "1", "key": KEY, "data": FORM},
        {"article": True, "key": KEY, "data": FORM},
        {"article": 1.5, "key": KEY, "data": FORM},
        {"article": None, "key": KEY, "data": [["title", "nul \u0000 byte"]]},
        '{"article": null, "key": "' + KEY + '", "data": [["title", "\\ud800"]]}',
        "[" * 100_000,
    ],
)
def test_bad_input_is_a_400_and_nothing_is_kept(editor_client, body):
    response = send(editor_client, body)
    assert response.status_code == 400
    assert not ArticleAutosave.objects.exists()


def test_a_form_over_the_size_limit_is_refused(editor_client):
    data = [["sections-0-body", "x" * AUTOSAVE_MAX_BYTES]]
    response = send(editor_client, {"article": None, "key": KEY, "data": data})
    assert response.status_code == 413
    assert not ArticleAutosave.objects.exists()


@pytest.mark.parametrize("pk", [999999, 10**30, -1])
def test_an_unknown_article_is_a_404(editor_client, pk):
    assert send(editor_client, {"article": pk, "key": KEY, "data": FORM}).status_code == 404


def test_only_post(editor_client):
    assert editor_client.get(URL).status_code == 405


def test_staff_without_article_rights_are_refused(client, article):
    client.force_login(UserFactory(is_staff=True))
    assert send(client, {"article": article.pk, "key": KEY, "data": FORM}).status_code == 403
    assert send(client, {"article": None, "key": KEY, "data": FORM}).status_code == 403
    assert not ArticleAutosave.objects.exists()


def test_readers_are_sent_to_login(client, article):
    response = send(client, {"article": article.pk, "key": KEY, "data": FORM})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_endpoint_checks_csrf(editor, article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert send(client, {"article": article.pk, "key": KEY, "data": FORM}).status_code == 403
    assert not ArticleAutosave.objects.exists()
