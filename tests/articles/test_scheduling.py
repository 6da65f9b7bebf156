"""Changing what is live, on time: an article unpublishes itself at its expiry, and a
prepared update of a live article goes live at its minute, without cron."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import scheduling
from articles.models import Article, ArticleUpdate, SlugRedirect
from tests.articles.admin_data import article_data
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

#: Where readers (and crawlers) find an article, and what there names it.
PUBLIC_LISTS = {
    "/": "The lantern walk",
    "/tags/calm/": "The lantern walk",
    "/feed/": "The lantern walk",
    "/sitemap-articles.xml": "/articles/lantern-walk/",
    "/search/?q=lantern": "The lantern walk",
}


@pytest.fixture
def clock(monkeypatch):
    """Move the site's clock: `clock.move(minutes=...)` from the real now."""

    class Clock:
        start = timezone.now()

        def move(self, **delta):
            moment = self.start + timedelta(**delta)
            monkeypatch.setattr(timezone, "now", lambda: moment)
            return moment

    return Clock()


def body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def expiring(commit_callbacks):
    def create(**kwargs):
        article = ArticleFactory(
            title="The lantern walk",
            slug="lantern-walk",
            tags=["calm"],
            expires_at=timezone.now() + timedelta(minutes=30),
            **kwargs,
        )
        SectionFactory(article=article, body="<p>Carry a lantern slowly.</p>")
        return article

    return lambda **kwargs: commit_callbacks(create, **kwargs)


class TestExpiry:
    def test_sitemap_section_exists(self, client):
        # The list above names the articles' sitemap by its address.
        assert "/sitemap-articles.xml" in body(client, "/sitemap.xml")

    def test_an_article_leaves_every_list_at_its_expiry(self, client, clock, expiring):
        article = expiring()
        ArticleFactory(title="Still here", tags=["calm"])
        for url, marker in PUBLIC_LISTS.items():
            assert marker in body(client, url), url
        clock.move(minutes=29)
        assert "The lantern walk" in body(client, "/")
        clock.move(minutes=31)
        for url, marker in PUBLIC_LISTS.items():
            assert marker not in body(client, url), url
        assert "Still here" in body(client, "/")
        assert Article.objects.expired().get() == article
        assert not Article.objects.published().filter(pk=article.pk).exists()

    def test_its_address_then_says_it_is_gone(self, client, clock, expiring):
        article = expiring()
        assert client.get(article.get_absolute_url()).status_code == 200
        clock.move(minutes=31)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 410
        assert "This article is no longer available" in response.content.decode()
        assert client.get("/articles/never-was/").status_code == 404

    def test_its_former_address_too(self, client, clock, expiring):
        article = expiring()
        SlugRedirect.objects.create(old_slug="lantern-stroll", article=article)
        assert client.get("/articles/lantern-stroll/").status_code == 301
        clock.move(minutes=31)
        assert client.get("/articles/lantern-stroll/").status_code == 410

    def test_or_moves_for_good_to_the_article_chosen(self, client, clock, expiring):
        target = ArticleFactory(slug="newer-walk")
        article = expiring(expired_redirect=target)
        clock.move(minutes=31)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 301
        assert response["Location"] == "/articles/newer-walk/"

    def test_a_redirect_to_an_article_no_longer_public_is_gone_instead(
        self, client, clock, expiring
    ):
        target = ArticleFactory(slug="newer-walk", draft=True)
        article = expiring(expired_redirect=target)
        clock.move(minutes=31)
        assert client.get(article.get_absolute_url()).status_code == 410

    def test_an_expiry_before_publication_is_refused(self):
        article = ArticleFactory.build(
            published_at=timezone.now(), expires_at=timezone.now() - timedelta(days=1)
        )
        with pytest.raises(ValidationError) as raised:
            article.full_clean(exclude=["author", "slug"])
        assert "expires_at" in raised.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            ArticleFactory(
                published_at=timezone.now(), expires_at=timezone.now() - timedelta(days=1)
            )

    def test_a_redirect_to_itself_is_refused(self):
        article = ArticleFactory()
        article.expired_redirect = article
        with pytest.raises(ValidationError):
            article.clean()


class TestExpiryInTheAdmin:
    def change(self, editor_client, article, **data):
        url = reverse("admin:articles_article_change", args=[article.pk])
        form = article_data(
            title=article.title,
            slug=article.slug,
            standfirst=article.standfirst,
            status="published",
            published_at_0="2026-01-01",
            published_at_1="09:00",
            tags="",
            **data,
        )
        return editor_client.post(url, form)

    def test_the_change_form_offers_an_unpublish_time_and_redirect(self, editor_client):
        article = ArticleFactory()
        page = body(editor_client, reverse("admin:articles_article_change", args=[article.pk]))
        assert 'aria-label="Unpublish date"' in page
        assert 'name="expired_redirect"' in page

    def test_an_editor_sets_the_expiry(self, editor_client):
        article = ArticleFactory()
        response = self.change(
            editor_client, article, expires_at_0="2099-01-01", expires_at_1="10:00"
        )
        assert response.status_code == 302
        article.refresh_from_db()
        assert timezone.localtime(article.expires_at).year == 2099

    @pytest.mark.parametrize(
        "data",
        [
            {"expires_at_0": "2025-01-01", "expires_at_1": "10:00"},  # before publication
            {"expires_at_0": "not a date", "expires_at_1": "10:00"},
            {"expired_redirect": "999999"},
            {"expired_redirect": "self"},
        ],
    )
    def test_bad_input_is_a_form_error(self, editor_client, data):
        article = ArticleFactory()
        if data.get("expired_redirect") == "self":
            data = {"expired_redirect": str(article.pk)}
        response = self.change(editor_client, article, **data)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors

    def test_an_expired_article_is_labelled_and_filtered(self, editor_client, clock):
        ArticleFactory(title="Gone one", expires_at=timezone.now() + timedelta(minutes=5))
        ArticleFactory(title="Live one")
        clock.move(minutes=6)
        page = body(editor_client, reverse("admin:articles_article_changelist") + "?state=expired")
        assert "Gone one" in page and "Live one" not in page
        assert "article-status-expired" in page


@pytest.fixture
def live(commit_callbacks):
    def create():
        article = ArticleFactory(
            title="Breathing at dawn", slug="breathing-at-dawn", tags=["calm", "mornings"]
        )
        SectionFactory(article=article, position=1, heading="Begin", body="<p>Old words.</p>")
        return article

    return commit_callbacks(create)


@pytest.fixture
def prepared(live, editor, commit_callbacks):
    """An update of `live` going live in an hour, with a new title and first section."""

    def prepare():
        update = scheduling.article_update_prepare(
            article=live, go_live_at=timezone.now() + timedelta(hours=1), user=editor
        )
        draft = update.draft
        draft.title = "Breathing at first light"
        draft.save()
        section = draft.sections.get()
        section.body = "<p>New words, shining.</p>"
        section.save()
        draft.tags.remove("mornings")
        return update

    return commit_callbacks(prepare)


class TestScheduledUpdate:
    def test_readers_see_the_live_version_until_the_minute_then_the_new_one(
        self, client, clock, live, prepared
    ):
        url = live.get_absolute_url()
        assert "Old words." in body(client, url)
        assert "New words" not in body(client, url)
        assert "Breathing at dawn" in body(client, "/")
        clock.move(minutes=59)
        assert "Old words." in body(client, url)
        moment = clock.move(minutes=60, seconds=1)
        page = body(client, url)
        assert "New words, shining." in page and "Old words." not in page
        assert "Breathing at first light" in body(client, "/")
        live.refresh_from_db()
        assert live.revised_at == prepared.go_live_at
        assert list(live.tags.names()) == ["calm"]
        prepared.refresh_from_db()
        assert prepared.applied_at == moment and prepared.draft is None
        # The draft copy is gone; the address, the sections' anchors stay.
        assert Article.objects.count() == 1
        assert live.slug == "breathing-at-dawn"
        assert live.sections.get().anchor == "begin"

    def test_it_is_one_revision_in_the_history(self, client, clock, live, prepared, editor):
        clock.move(hours=2)
        client.get("/")
        versions = Version.objects.get_for_object(live)
        assert versions[0].revision.get_comment() == scheduling.APPLIED_COMMENT
        assert versions[0].revision.user == editor
        assert versions.count() == 1  # the factory saved none

    def test_search_finds_the_new_words(self, client, clock, live, prepared, commit_callbacks):
        clock.move(hours=2)
        commit_callbacks(scheduling.article_updates_apply_due)
        assert "Breathing at first light" in body(client, "/search/?q=shining")

    def test_applying_is_once_only(self, clock, live, prepared):
        assert scheduling.article_updates_apply_due() == 0  # not due yet
        clock.move(hours=2)
        assert scheduling.article_updates_apply_due() == 1
        assert scheduling.article_updates_apply_due() == 0
        assert not scheduling.article_update_apply(update_id=prepared.pk)

    def test_the_command_applies_what_is_due(self, clock, live, prepared):
        clock.move(hours=2)
        out = StringIO()
        call_command("apply_scheduled_updates", stdout=out)
        assert "Applied 1" in out.getvalue()
        assert "Breathing at first light" == Article.objects.get().title

    def test_a_new_version_saved_without_a_standfirst_keeps_the_live_one(
        self, clock, live, prepared
    ):
        """The pending version is a draft, which may lack a standfirst; the live article
        may not, so it keeps its own rather than the update failing at its minute."""
        standfirst = live.standfirst
        Article.objects.filter(pk=prepared.draft_id).update(standfirst="")
        clock.move(hours=2)
        assert scheduling.article_updates_apply_due() == 1
        live.refresh_from_db()
        assert (live.title, live.standfirst) == ("Breathing at first light", standfirst)

    def test_one_pending_update_per_article(self, live, prepared):
        with pytest.raises(IntegrityError), transaction.atomic():
            ArticleUpdate.objects.create(article=live, go_live_at=timezone.now())

    def test_the_draft_copy_is_never_public(self, client, live, prepared):
        draft = prepared.draft
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert "first light" not in body(client, "/")

    def test_a_cold_content_version_costs_one_query(
        self, live, prepared, django_assert_num_queries
    ):
        from articles import cache as page_cache

        with django_assert_num_queries(1):
            page_cache.content_changed()
        assert page_cache.content_state().next_due_at == prepared.go_live_at


def at_once(work, times: int = 2) -> list:
    """What `work()` returns when `times` threads call it at the same moment."""
    barrier = threading.Barrier(times)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def due_update(monkeypatch):
    """A live article whose prepared update (new title and words) went live a minute ago."""
    article = ArticleFactory(title="Old title", slug="old-title")
    SectionFactory(article=article, body="<p>Old words.</p>")
    update = scheduling.article_update_prepare(
        article=article, go_live_at=timezone.now() + timedelta(minutes=1)
    )
    update.draft.title = "New title"
    update.draft.save()
    section = update.draft.sections.get()
    section.body = "<p>New words.</p>"
    section.save()
    Client().get("/")  # the content version now waits for the update's minute
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    return update


def applied_once(article: Article) -> None:
    article.refresh_from_db()
    assert article.title == "New title"
    assert article.sections.count() == 1
    comments = [v.revision.get_comment() for v in Version.objects.get_for_object(article)]
    assert comments.count(scheduling.APPLIED_COMMENT) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_apply_it_exactly_once(due_update):
    results = at_once(lambda: scheduling.article_update_apply(update_id=due_update.pk))
    assert sorted(results) == [False, True]
    applied_once(due_update.article)


@pytest.mark.django_db(transaction=True)
def test_two_readers_at_its_minute_put_it_live_once(due_update):
    url = due_update.article.get_absolute_url()
    assert at_once(lambda: Client().get(url).status_code) == [200, 200]
    assert "New words." in Client().get(url).content.decode()
    applied_once(due_update.article)
    due_update.refresh_from_db()
    assert due_update.applied_at == timezone.now()


class TestScheduledUpdateAdmin:
    def page(self, article) -> str:
        return reverse("admin:articles_article_scheduled_update", args=[article.pk])

    def test_a_published_article_offers_to_prepare_one(self, editor_client, live):
        change = body(editor_client, reverse("admin:articles_article_change", args=[live.pk]))
        assert "Prepare a scheduled update" in change
        assert "Goes live at" in body(editor_client, self.page(live))

    def test_an_article_not_yet_live_is_edited_as_it_is(self, editor_client):
        scheduled = ArticleFactory(scheduled=True)
        change = body(editor_client, reverse("admin:articles_article_change", args=[scheduled.pk]))
        assert "Prepare a scheduled update" not in change

    def test_preparing_opens_the_new_version_to_edit(self, editor_client, live):
        future = timezone.localtime() + timedelta(days=1)
        response = editor_client.post(
            self.page(live),
            {"go_live_at_0": future.strftime("%Y-%m-%d"), "go_live_at_1": "08:30"},
        )
        update = ArticleUpdate.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "admin:articles_article_change", args=[update.draft_id]
        )
        form = body(editor_client, response["Location"])
        assert "The new version of “Breathing at dawn”" in form
        assert 'name="slug"' not in form and 'name="status"' not in form
        assert 'name="title"' in form and "Old words." in form
        # Listed once: the pending version is reached from its article.
        listing = body(editor_client, reverse("admin:articles_article_changelist"))
        assert listing.count("field-title") == 1
        assert f"/admin/articles/article/{update.draft_id}/" not in listing
        change = body(editor_client, reverse("admin:articles_article_change", args=[live.pk]))
        assert "A scheduled update is waiting" in change

    @pytest.mark.parametrize(
        "data",
        [
            {"go_live_at_0": "2020-01-01", "go_live_at_1": "08:30"},
            {"go_live_at_0": "tomorrow", "go_live_at_1": "soon"},
            {},
        ],
    )
    def test_a_bad_time_is_a_form_error(self, editor_client, live, data):
        response = editor_client.post(self.page(live), data)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not ArticleUpdate.objects.exists()

    def test_rescheduling_and_cancelling(self, editor_client, live, prepared):
        response = editor_client.post(
            self.page(prepared.draft), {"go_live_at_0": "2099-05-01", "go_live_at_1": "07:00"}
        )
        assert response.status_code == 302
        prepared.refresh_from_db()
        assert timezone.localtime(prepared.go_live_at).year == 2099
        response = editor_client.post(self.page(live), {"_cancel": "1"})
        assert response.status_code == 302
        assert not ArticleUpdate.objects.exists()
        assert list(Article.objects.values_list("title", flat=True)) == ["Breathing at dawn"]

    def test_a_draft_cannot_have_one_and_a_missing_article_is_404(self, editor_client):
        draft = ArticleFactory(draft=True)
        response = editor_client.get(self.page(draft))
        assert response.status_code == 302
        assert (
            editor_client.get("/admin/articles/article/999999/scheduled-update/").status_code == 404
        )

    def test_without_change_permission_it_is_refused(self, client, live):
        from django.contrib.auth.models import Permission

        from tests.factories import UserFactory

        viewer = UserFactory(is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
        client.force_login(viewer)
        assert client.get(self.page(live)).status_code == 403

    def test_deleting_the_new_version_cancels_the_update(self, editor_client, live, prepared):
        prepared.draft.delete()
        assert not ArticleUpdate.objects.exists()
        change = body(editor_client, reverse("admin:articles_article_change", args=[live.pk]))
        assert "Prepare a scheduled update" in change
