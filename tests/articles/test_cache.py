"""Page caching: fragments and validators follow the content version, which changes exactly
when an article, its sections or its tags change (after the transaction commits)."""

import socket
from email.utils import parsedate_to_datetime

import pytest
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from articles import cache as page_cache
from articles.models import Article, Section
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

# (Search pages are kept per content version and query instead: tests/articles/test_search.py.)
PUBLIC_PAGES = ["/", "/tags/", "/tags/calm/", "/feed/", "/sitemap.xml"]


@pytest.fixture
def article(commit_callbacks):
    def create():
        article = ArticleFactory(title="Original title", tags=["calm"])
        SectionFactory(article=article, position=1, body="<p>Original body.</p>")
        return article

    return commit_callbacks(create)


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


class TestValidators:
    @pytest.mark.parametrize("url", [*PUBLIC_PAGES, "article"])
    def test_pages_carry_etag_last_modified_and_revalidate(self, client, article, url):
        url = article.get_absolute_url() if url == "article" else url
        response = client.get(url)
        assert response.status_code == 200
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"]
        assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == response["ETag"]
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert since.status_code == 304

    def test_a_revalidation_costs_no_query_on_lists(
        self, client, article, django_assert_num_queries
    ):
        etag = client.get("/")["ETag"]
        with django_assert_num_queries(0):
            assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 304

    def test_an_article_revalidation_costs_no_query(
        self, client, article, django_assert_num_queries
    ):
        etag = client.get(article.get_absolute_url())["ETag"]
        # The ETag names the content version: still current means still public.
        with django_assert_num_queries(0):
            response = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304

    def test_an_unpublished_article_is_not_served_from_a_kept_page(
        self, client, article, commit_callbacks
    ):
        from articles.services import article_unpublish

        assert client.get(article.get_absolute_url()).status_code == 200
        etag = client.get(article.get_absolute_url())["ETag"]
        commit_callbacks(article_unpublish, article=article)
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 404

    def test_a_change_answers_200_with_new_validators(self, client, article, commit_callbacks):
        first = client.get("/")
        article.title = "New title"
        commit_callbacks(article.save)
        again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200 and "New title" in again.content.decode()
        assert again["ETag"] != first["ETag"]

    def test_an_unpublished_article_is_404_even_with_an_old_etag(
        self, client, article, commit_callbacks
    ):
        etag = client.get(article.get_absolute_url())["ETag"]
        from articles.services import article_unpublish

        commit_callbacks(article_unpublish, article=article)
        response = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 404
        assert "ETag" not in response

    def test_max_age_follows_the_setting(self, client, article, settings):
        settings.ARTICLES_HTTP_MAX_AGE = 120
        assert client.get("/")["Cache-Control"] == "public, max-age=120, must-revalidate"

    def test_errors_are_not_marked_cacheable(self, client):
        response = client.get("/?page=9")
        assert response.status_code == 404 and "ETag" not in response

    def test_last_modified_is_when_the_content_changed(self, client, article, commit_callbacks):
        before = timezone.now().replace(microsecond=0)
        article.title = "Changed"
        commit_callbacks(article.save)
        modified = parsedate_to_datetime(client.get("/")["Last-Modified"])
        assert before <= modified <= timezone.now()


class TestInvalidation:
    def test_article_change_reaches_every_page(self, client, article, commit_callbacks):
        pages = ["/", "/tags/calm/", article.get_absolute_url(), "/feed/"]
        for url in pages:
            assert "Original title" in text(client, url)
        article.title = "Renamed gently"
        commit_callbacks(article.save)
        for url in pages:
            page = text(client, url)
            assert "Renamed gently" in page and "Original title" not in page, url

    def test_section_change(self, client, article, commit_callbacks):
        assert "Original body." in text(client, article.get_absolute_url())
        section = article.sections.get()
        section.body = "<p>Rewritten body.</p>"
        commit_callbacks(section.save)
        assert "Rewritten body." in text(client, article.get_absolute_url())

    def test_section_deleted(self, client, article, commit_callbacks):
        assert "Original body." in text(client, article.get_absolute_url())
        commit_callbacks(lambda: article.sections.all().delete())
        assert "Original body." not in text(client, article.get_absolute_url())

    def test_tags_added_removed_and_renamed(self, client, article, commit_callbacks):
        assert "Original title" not in text(client, "/tags/")  # titles are not on the index
        assert '<a href="/tags/calm/">calm</a>' in text(client, "/")
        commit_callbacks(article.tags.add, "quiet")
        assert "Original title" in text(client, "/tags/quiet/")
        commit_callbacks(article.tags.remove, "calm")
        assert client.get("/tags/calm/").status_code == 404
        tag = Tag.objects.get(name="quiet")
        tag.name = "Stillness"
        commit_callbacks(tag.save)
        assert ">Stillness</a>" in text(client, "/")

    def test_deleted_article_disappears(self, client, article, commit_callbacks):
        assert "Original title" in text(client, "/")
        commit_callbacks(article.delete)
        assert "Original title" not in text(client, "/")

    def test_author_name_change(self, client, article, commit_callbacks):
        assert article.author.username in text(client, article.get_absolute_url())
        article.author.first_name, article.author.last_name = "Ada", "Calm"
        commit_callbacks(article.author.save)
        assert "Ada Calm" in text(client, article.get_absolute_url())

    def test_unrelated_writes_keep_the_cache(
        self, client, article, commit_callbacks, django_assert_num_queries
    ):
        client.get("/")
        user = UserFactory()
        user.last_login = timezone.now()
        commit_callbacks(user.save, update_fields=["last_login"])
        commit_callbacks(UserFactory)  # a new user writes no article
        with django_assert_num_queries(0):
            assert "Original title" in client.get("/").content.decode()

    def test_nothing_changes_until_the_transaction_commits(self, client, article):
        client.get("/")
        with transaction.atomic():
            Article.objects.filter(pk=article.pk).update(title="Uncommitted")
            article.refresh_from_db()
            article.save()
        # In tests the outer transaction never commits: the version is unchanged.
        assert "Original title" in text(client, "/")

    def test_a_scheduled_article_appears_when_its_time_comes(self, client, monkeypatch):
        ArticleFactory(title="Already out")
        ArticleFactory(title="Due tomorrow", scheduled=True)
        assert "Due tomorrow" not in text(client, "/")
        later = timezone.now() + timezone.timedelta(days=4)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert "Due tomorrow" in text(client, "/")

    @pytest.mark.django_db(transaction=True)
    def test_the_version_is_replaced_after_the_derived_fields(
        self, django_capture_on_commit_callbacks
    ):
        from articles.signals import _ContentChangedAfterCommit, _refresh_waiting

        article = ArticleFactory()  # committed: nothing is pending any more
        with transaction.atomic():
            with django_capture_on_commit_callbacks() as callbacks:
                article.tags.add("calm")  # a content change before any refresh is pending
                Section.objects.create(article=article, position=1, heading="H", body="b")
            live = [c for c in callbacks if not getattr(c, "superseded", False)]
            # (the first refresh refreshes every waiting article; the others find none)
            assert _refresh_waiting in live[:-1]
            assert isinstance(live[-1], _ContentChangedAfterCommit)

    def test_an_outer_change_survives_an_inner_rollback(self, django_capture_on_commit_callbacks):
        from articles.signals import _ContentChangedAfterCommit

        article = ArticleFactory(tags=["calm"])
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            article.tags.remove("calm")
            try:
                with transaction.atomic():
                    article.tags.add("other")
                    raise RuntimeError("editor cancelled")
            except RuntimeError:
                pass
        live = [
            c for c in callbacks if isinstance(c, _ContentChangedAfterCommit) and not c.superseded
        ]
        assert len(live) == 1


class TestPreview:
    """The editors' real preview (inside the admin) shares the page but never its cache."""

    @staticmethod
    def preview(article) -> str:
        from django.urls import reverse

        return reverse("admin:articles_article_preview", args=[article.pk])

    def test_preview_is_never_cached_and_never_served_to_the_public(self, editor_client, article):
        from django.test import Client

        client = Client()  # an anonymous reader, beside the logged-in editor
        public = text(client, article.get_absolute_url())
        # An edit the cache has not heard of (no signal): only an uncached render shows it.
        Article.objects.filter(pk=article.pk).update(title="Edited in preview")
        for _ in range(2):
            response = editor_client.get(self.preview(article))
            assert "Edited in preview" in response.content.decode()
            assert "Preview: readers cannot see this article yet." in response.content.decode()
            assert "no-store" in response["Cache-Control"] and "ETag" not in response
        again = text(client, article.get_absolute_url())
        assert main_of(again) == main_of(public) and "Edited in preview" not in main_of(again)

    def test_a_draft_can_be_previewed_but_not_read(self, editor_client):
        from django.test import Client

        draft = ArticleFactory(draft=True, title="Still drafting")
        assert "Still drafting" in editor_client.get(self.preview(draft)).content.decode()
        assert Client().get(draft.get_absolute_url()).status_code == 404


class TestSettings:
    @pytest.mark.parametrize(
        ("url", "backend"),
        [
            ("redis://127.0.0.1:6379/3", "happyinnerself.cache.ResilientRedisCache"),
            ("rediss://cache.example:6380/0", "happyinnerself.cache.ResilientRedisCache"),
            ("file:///var/tmp/hisc", "django.core.cache.backends.filebased.FileBasedCache"),
            ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
            ("dummy://", "django.core.cache.backends.dummy.DummyCache"),
        ],
    )
    def test_cache_url(self, url, backend):
        from happyinnerself.settings.base import cache_from_url

        assert cache_from_url(url)["BACKEND"] == backend

    def test_unknown_cache_url_is_refused(self):
        from django.core.exceptions import ImproperlyConfigured

        from happyinnerself.settings.base import cache_from_url

        with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
            cache_from_url("memcached://x")

    def test_pages_work_on_redis(self, client, article, settings, commit_callbacks):
        try:
            socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        except OSError:
            pytest.skip("no Redis server at 127.0.0.1:6379")
        from django.core.cache import caches

        settings.ARTICLES_CACHE_SECONDS = 30  # this test's keys expire by themselves
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/15",
                "KEY_PREFIX": f"test-{article.pk}-{timezone.now().timestamp()}",
            }
        }
        assert "Original title" in text(client, "/")
        assert caches["default"].get(page_cache.STATE_KEY) is not None
        article.title = "Seen through Redis"
        commit_callbacks(article.save)
        assert "Seen through Redis" in text(client, "/")


def test_dummy_cache_still_serves_correct_pages(client, article, settings, commit_callbacks):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert "Original title" in text(client, "/")
    Article.objects.filter(pk=article.pk).update(title="Always fresh")
    assert "Always fresh" in text(client, "/")


def test_a_process_rereads_the_shared_content_version_after_its_local_time(
    client, article, settings, monkeypatch
):
    """Another server process's change shows within CONTENT_STATE_LOCAL_SECONDS."""
    from django.core.cache import cache as shared

    import articles.cache as content_cache

    settings.CONTENT_STATE_LOCAL_SECONDS = 60
    first = client.get("/")["ETag"]
    # Another process starts a new version in the shared cache: this one keeps its copy...
    shared.set(content_cache.STATE_KEY, ("other-version", *shared.get(content_cache.STATE_KEY)[1:]))
    assert client.get("/")["ETag"] == first
    # ...until its local time runs out.
    later = content_cache.time.monotonic() + 61
    monkeypatch.setattr(content_cache.time, "monotonic", lambda: later)
    assert client.get("/")["ETag"] != first
