"""Two editors on one article: the version every save counts up, the save refused when made
from an older version (with who changed what), "Save anyway", and the edit lock."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles import concurrency, services
from articles.admin import concurrency as admin_concurrency
from articles.models import Article, EditLock
from tests.articles.admin_data import ADD_URL, CHANGELIST, article_data, change_url, saved
from tests.articles.test_import import GOOD, run_import, write
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_editor(editor):
    user = UserFactory(username="bea", first_name="Bea", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def bea_client(second_editor):
    client = Client()
    client.force_login(second_editor)
    return client


@pytest.fixture
def article(editor_client):
    """An article written in the admin (so its history has a first revision)."""
    data = article_data(sections=[{"heading": "Breathe", "body": "<p>In and out.</p>"}])
    return saved(editor_client.post(ADD_URL, data))


def form(article: Article, *, version: int | None, **fields) -> dict:
    """The change form as a page opened on `version` sends it, with `fields` changed."""
    data = article_data(
        existing=list(article.sections.all()),
        **{"title": article.title, "slug": article.slug, "standfirst": article.standfirst} | fields,
    )
    if version is not None:
        data["version"] = str(version)
    return data


def lock_url(article: Article) -> str:
    return f"/admin/articles/article/{article.pk}/edit-lock/"


# -- the version counts every save -------------------------------------------------------------


def test_every_way_of_saving_counts_the_version_up(editor):
    article = ArticleFactory(draft=True)
    assert article.version == 1
    services.article_publish(article=article)
    services.article_feature(article=article, featured=True)
    services.article_text_revised(article=article, substantive=True)
    services.article_unpublish(article=article)
    article.title = "Renamed"
    article.save()
    assert article.version == 6
    assert Article.objects.get().version == 6


def test_an_out_of_date_copy_still_counts_on_from_the_stored_version():
    ArticleFactory()
    first, second = Article.objects.get(), Article.objects.get()
    services.article_feature(article=first)
    services.article_feature(article=second, featured=False)
    assert Article.objects.get().version == 3  # not 2 twice


def test_a_re_import_counts_the_version_up(tmp_path):
    path = write(tmp_path, "a.md", GOOD)
    run_import(path)
    assert Article.objects.get().version == 1
    run_import(path)
    assert Article.objects.get().version == 2


def test_a_bulk_action_counts_the_version_up(editor_client):
    article = ArticleFactory(draft=True)
    response = editor_client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [article.pk]}
    )
    assert response.status_code == 302
    assert Article.objects.get().version == 2


# -- a save from an older version --------------------------------------------------------------


def test_a_save_from_an_older_version_is_refused_and_loses_nothing(
    editor_client, bea_client, article
):
    opened = article.version
    # Bea saves a new title from the form she opened...
    assert bea_client.post(change_url(article), form(article, version=opened, title="Bea's title"))
    assert Article.objects.get().title == "Bea's title"
    # ...and Eddie saves from the form he opened before.
    response = editor_client.post(
        change_url(article), form(article, version=opened, title="Eddie's title")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bea saved this article on" in page and "Your save was refused" in page
    assert "<ins>Bea&#x27;s title</ins>" in page  # what she changed
    assert 'value="Eddie&#x27;s title"' in page  # his text is still in the form
    assert f'name="_overwrite" value="{Article.objects.get().version}"' in page
    assert Article.objects.get().title == "Bea's title"  # nothing of hers lost


def test_save_anyway_replaces_the_newer_version_and_says_so_in_the_history(
    editor_client, bea_client, article
):
    opened = article.version
    bea_client.post(change_url(article), form(article, version=opened, title="Bea's title"))
    current = Article.objects.get().version
    data = form(article, version=opened, title="Eddie's title") | {"_overwrite": str(current)}
    response = editor_client.post(change_url(article), data, follow=True)
    assert response.redirect_chain
    assert Article.objects.get().title == "Eddie's title"
    assert "You replaced the changes Bea had saved" in response.content.decode()
    entry = LogEntry.objects.filter(object_id=str(article.pk)).first()
    assert "Saved anyway over the changes of Bea" in entry.get_change_message()
    latest = Version.objects.get_for_object(article).first()
    assert "Saved anyway" in latest.revision.get_comment()


def test_save_anyway_over_a_version_not_seen_is_refused_again(editor_client, bea_client, article):
    opened = article.version
    bea_client.post(change_url(article), form(article, version=opened, title="Bea's title"))
    seen = Article.objects.get().version
    article.refresh_from_db()
    bea_client.post(change_url(article), form(article, version=seen, title="Bea's second"))
    data = form(article, version=opened, title="Eddie's title") | {"_overwrite": str(seen)}
    assert editor_client.post(change_url(article), data).status_code == 200
    assert Article.objects.get().title == "Bea's second"


def test_a_save_from_the_current_version_goes_through(editor_client, article):
    data = form(article, version=article.version, title="New title")
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.title == "New title"
    # The next save from the page shown after saving goes through too.
    data = form(article, version=article.version, title="Newer title")
    assert editor_client.post(change_url(article), data).status_code == 302


@pytest.mark.parametrize(
    "extra", [{"version": "abc"}, {"version": "-1"}, {"version": "1", "_overwrite": "x"}]
)
def test_bad_version_input_is_a_form_error_never_a_500(editor_client, bea_client, article, extra):
    bea_client.post(change_url(article), form(article, version=article.version, title="B"))
    response = editor_client.post(change_url(article), form(article, version=None) | extra)
    assert response.status_code == 200
    assert Article.objects.get().title == "B"


def test_a_restore_carries_the_version_on(editor_client, article):
    editor_client.post(change_url(article), form(article, version=article.version, title="Two"))
    before = Article.objects.get().version
    first = Version.objects.get_for_object(article).last()
    revision_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
    page = editor_client.get(revision_url).content.decode()
    assert f'name="version" value="{before}"' in page
    restore = form(article, version=before, title="Breathing through the day")
    assert editor_client.post(revision_url, restore).status_code == 302
    assert Article.objects.get().version > before


def test_a_restore_from_a_form_opened_before_another_save_is_refused_too(
    editor_client, bea_client, article
):
    editor_client.post(change_url(article), form(article, version=article.version, title="Two"))
    article.refresh_from_db()
    opened = article.version
    first = Version.objects.get_for_object(article).last()
    revision_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
    bea_client.post(change_url(article), form(article, version=opened, title="Bea's"))
    restore = form(article, version=opened, title="Breathing through the day")
    response = editor_client.post(revision_url, restore)
    assert response.status_code == 200
    assert "<ins>Bea&#x27;s</ins>" in response.content.decode()
    assert Article.objects.get().title == "Bea's"


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_from_one_version_one_wins(monkeypatch, roles):
    users = [UserFactory(username=name, is_staff=True, is_superuser=True) for name in "ab"]
    article = ArticleFactory(draft=True, title="Start")
    opened = article.version
    locked = concurrency.article_version_for_update

    def slow_check(*, article_id):
        # Hold the row a moment, so the other save arrives while this one is in progress.
        current = locked(article_id=article_id)
        time.sleep(0.5)
        return current

    monkeypatch.setattr(concurrency, "article_version_for_update", slow_check)
    results: dict[str, int] = {}

    def save(user) -> None:
        client = Client()
        client.force_login(user)
        data = form(article, version=opened, title=f"By {user.username}")
        results[user.username] = client.post(change_url(article), data).status_code
        connection.close()

    threads = [threading.Thread(target=save, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 302]
    winner = next(name for name, status in results.items() if status == 302)
    assert Article.objects.get().title == f"By {winner}"
    assert Version.objects.get_for_object(article).count() == 1  # one save, not two


# -- the edit lock ---------------------------------------------------------------------------


def test_the_second_editor_sees_who_is_editing_and_can_take_over(
    editor_client, bea_client, article
):
    editor_client.get(change_url(article))
    page = bea_client.get(change_url(article)).content.decode()
    assert "Eddie is editing this article" in page and "Take over editing" in page
    assert EditLock.objects.get().holder.username == "eddie"

    response = bea_client.post(lock_url(article), {"action": "take"})
    assert response.status_code == 302 and response.url == change_url(article)
    assert EditLock.objects.get().holder.username == "bea"
    answer = editor_client.post(
        lock_url(article), {"action": "renew"}, headers={"accept": "application/json"}
    ).json()
    assert answer["held"] is False and "Bea took over editing" in answer["html"]
    assert EditLock.objects.get().holder.username == "bea"  # Eddie's page did not take it back


def test_a_lock_not_renewed_lapses(editor_client, bea_client, article):
    editor_client.get(change_url(article))
    EditLock.objects.update(seen_at=timezone.now() - concurrency.EXPIRES_AFTER - timedelta(1))
    page = bea_client.get(change_url(article)).content.decode()
    assert "is editing this article" not in page
    assert EditLock.objects.get().holder.username == "bea"


def test_saving_and_leaving_the_form_releases_the_lock(editor_client, article):
    editor_client.get(change_url(article))
    assert EditLock.objects.exists()
    editor_client.post(change_url(article), form(article, version=article.version))
    assert not EditLock.objects.exists()


def test_someone_who_may_only_view_gets_no_lock_and_no_version(client, article):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    page = client.get(change_url(article)).content.decode()
    assert 'id="edit-lock"' not in page and 'name="version"' not in page
    assert not EditLock.objects.exists()


def test_the_lock_address_refuses_what_it_does_not_do(editor_client, client, article):
    assert editor_client.get(lock_url(article)).status_code == 405
    assert editor_client.post(lock_url(article), {"action": "steal"}).status_code == 400
    assert editor_client.post("/admin/articles/article/999999/edit-lock/").status_code == 404
    client.force_login(UserFactory(username="viewer", is_staff=True))
    assert client.post(lock_url(article), {"action": "take"}).status_code == 403
    assert not EditLock.objects.exists()


def test_the_conflict_lists_the_saves_made_since(editor_client, bea_client, article):
    opened = article.version
    bea_client.post(change_url(article), form(article, version=opened, title="One"))
    article.refresh_from_db()
    bea_client.post(change_url(article), form(article, version=article.version, title="Two"))
    conflict = admin_concurrency.save_conflict(
        article, opened=opened, current=Article.objects.get().version
    )
    assert [save.user for save in conflict.saves] == ["Bea", "Bea"]
    assert conflict.who == "Bea"
    assert [change.label for change in conflict.diff.fields] == ["Title"]


def test_the_conflict_lists_no_publication_date_change_nobody_made(
    editor_client, bea_client, article
):
    # Published with an empty date: "now", which the form shows back to the second.
    published = form(article, version=article.version, status="published")
    assert editor_client.post(change_url(article), published).status_code == 302
    article.refresh_from_db()
    opened, shown = article.version, article.published_at
    # Bea changes the title on the form as her page showed it (the date to the second)...
    bea_client.post(
        change_url(article),
        form(article, version=opened, status="published", published_at=shown, title="Bea's"),
    )
    # ...and Eddie's save from the same page is refused: only her title is listed.
    response = editor_client.post(
        change_url(article),
        form(article, version=opened, status="published", published_at=shown, title="Eddie's"),
    )
    page = response.content.decode()
    assert "Your save was refused" in page
    assert "<ins>Bea&#x27;s</ins>" in page
    assert "<dt>Title</dt>" in page
    assert "<dt>Publication date</dt>" not in page
