"""An article's history: restoring an earlier revision, and comparing two."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from tests.articles.admin_data import ADD_URL, article_data, change_url, saved
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def revision_url(article, version) -> str:
    return f"/admin/articles/article/{article.pk}/history/{version.pk}/"


@pytest.fixture
def live_article(editor_client):
    """Written as a draft (revision 1), then published under a new title (revision 2)."""
    article = saved(
        editor_client.post(ADD_URL, article_data(sections=[{"heading": "First words"}]))
    )
    section = article.sections.get()
    published_at = timezone.now() - timedelta(days=3)
    data = article_data(
        title="Breathing, revised",
        status="published",
        published_at=published_at,
        featured="on",
        existing=[(section, {"heading": "Better words"})],
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_public and article.featured
    return article


def first_version(article):
    return Version.objects.get_for_object(article).order_by("pk").first()


def test_restoring_a_draft_revision_shows_the_article_as_it_stands_now(editor_client, live_article):
    response = editor_client.get(revision_url(live_article, first_version(live_article)))
    form = response.context["adminform"].form
    # The content of that revision ...
    assert form.initial["title"] == "Breathing through the day"
    # ... in the place the article has now: the form would save it published, not as a draft.
    assert form.initial["status"] == "published"
    assert form.initial["published_at"] == live_article.published_at
    assert form.initial["featured"] is True
    html = " ".join(response.content.decode().split())
    assert '<option value="published" selected>Published</option>' in html
    assert "In that version it was a draft" in html
    assert "the article is <strong>published (since" in html


def test_restoring_keeps_a_live_article_live_and_says_so(editor_client, live_article):
    section = live_article.sections.get()
    restore = article_data(
        status="published",
        published_at=live_article.published_at,
        featured="on",
        existing=[(section, {"heading": "First words"})],
    )
    response = editor_client.post(
        revision_url(live_article, first_version(live_article)), restore, follow=True
    )
    article = Article.objects.get()
    assert article.title == "Breathing through the day"
    assert list(article.sections.values_list("heading", flat=True)) == ["First words"]
    assert article.is_public and article.featured
    assert article.published_at == live_article.published_at
    shown = [str(message) for message in response.context["messages"]]
    assert any(
        text.startswith("Restored the title, text, sections and tags saved on")
        and text.endswith("as before.")
        and "The article is published (since" in text
        for text in shown
    ), shown


def test_the_editor_may_still_choose_the_revisions_status(editor_client, live_article):
    section = live_article.sections.get()
    restore = article_data(status="draft", existing=[(section, {"heading": "First words"})])
    response = editor_client.post(
        revision_url(live_article, first_version(live_article)), restore, follow=True
    )
    assert Article.objects.get().status == Article.Status.DRAFT
    shown = [str(message) for message in response.context["messages"]]
    assert any(text.endswith("The article is a draft.") for text in shown), shown


def test_the_history_page_names_every_choice(editor_client, live_article):
    html = editor_client.get(f"/admin/articles/article/{live_article.pk}/history/").content
    html = html.decode()
    # Two versions: each radio button says which version it picks, each date what it does.
    assert html.count('aria-label="Compare from the version of') == 2
    assert html.count('aria-label="Compare to the version of') == 2
    assert html.count('aria-label="Restore the version of') == 2
    assert "Changed Title, Status, Published at and Featured." in html


def test_one_version_offers_to_restore_it_not_to_compare(editor_client):
    article = saved(editor_client.post(ADD_URL, article_data()))
    html = editor_client.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    assert html.count('aria-label="Restore the version of') == 1
    assert "Open a date to restore that version" in " ".join(html.split())
    assert "Compare" not in html


def test_odd_history_addresses_answer_404(editor_client, live_article):
    other = saved_other(editor_client)
    foreign = Version.objects.get_for_object(other).first()
    own = first_version(live_article)
    base = f"/admin/articles/article/{live_article.pk}/history"
    for url in (
        f"{base}/999999/",  # no such version
        f"{base}/{foreign.pk}/",  # another article's version
        f"{base}/compare/?version_id1=abc&version_id2=1",
        f"{base}/compare/?version_id1={own.pk}&version_id2={foreign.pk}",
    ):
        assert editor_client.get(url).status_code == 404, url
    assert editor_client.post(f"{base}/{foreign.pk}/", {}).status_code == 404
    assert Article.objects.get(pk=live_article.pk).title == "Breathing, revised"


def saved_other(client) -> Article:
    data = article_data(title="Another one", slug="another-one")
    assert client.post(ADD_URL, data).status_code == 302
    return Article.objects.get(slug="another-one")


def test_restoring_keeps_the_unpublish_time_set_since(editor_client, live_article):
    expires_at = timezone.now() + timedelta(days=30)
    Article.objects.filter(pk=live_article.pk).update(expires_at=expires_at)
    response = editor_client.get(revision_url(live_article, first_version(live_article)))
    assert response.context["adminform"].form.initial["expires_at"] == expires_at


# --- Recovering deleted articles --------------------------------------------------------


@pytest.fixture
def deleted_draft(editor_client):
    article = saved(editor_client.post(ADD_URL, article_data(title="Gone for now")))
    assert editor_client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.exists()
    return Version.objects.get_deleted(Article).get()


RECOVER_LIST = "/admin/articles/article/recover/"


def test_editors_are_offered_to_recover_deleted_articles(editor_client, deleted_draft):
    listing = editor_client.get("/admin/articles/article/").content.decode()
    assert f'href="{RECOVER_LIST}" class="recoverlink">Recover deleted articles<' in listing
    assert "Gone for now" in editor_client.get(RECOVER_LIST).content.decode()
    assert editor_client.get(f"{RECOVER_LIST}{deleted_draft.pk}/").status_code == 200


def test_authors_who_cannot_delete_are_not_offered_to_recover(client, deleted_draft):
    author = UserFactory(username="ada", is_staff=True)
    author.groups.add(Group.objects.get(name="Authors"))
    client.force_login(author)
    listing = client.get("/admin/articles/article/")
    assert listing.status_code == 200
    assert "Recover deleted" not in listing.content.decode()
    assert RECOVER_LIST not in listing.content.decode()
    assert client.get(RECOVER_LIST).status_code == 403
    assert client.get(f"{RECOVER_LIST}{deleted_draft.pk}/").status_code == 403
