"""Page caching: kept pages and validators follow the content version, which changes exactly
when an article, its sections or its tags change (after the transaction commits)."""

from email.utils import parsedate_to_datetime

import pytest
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from articles import cache as page_cache
from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.support.redis import redis_required

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/tags/", "/tags/calm/", "/search/?q=calm", "/feed/", "/sitemap.xml"]


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
        assert "Ada Calm" not in text(client, article.get_absolute_url())
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


class TestOnlyWhatChanged:
    """A save renders again only the pages that show what it changed: a typo fixed in one
    article's text leaves every other article's page, the home and topic pages kept; a new
    title reaches every page that shows it."""

    @pytest.fixture
    def neighbour(self, article, commit_callbacks):
        return commit_callbacks(ArticleFactory, title="Neighbouring calm", tags=["calm"])

    @staticmethod
    def fix_a_typo(article, commit_callbacks) -> None:
        # As the admin saves it: the article's form, then the changed section, one commit.
        def save() -> None:
            with transaction.atomic():
                Article.objects.get(pk=article.pk).save()
                section = article.sections.get()
                section.body = "<p>Original body, mended.</p>"
                section.save()

        commit_callbacks(save)

    def test_a_typo_fix_leaves_other_pages_kept(
        self, client, article, neighbour, commit_callbacks, django_assert_num_queries
    ):
        kept = [neighbour.get_absolute_url(), "/", "/tags/calm/", "/tags/"]
        before = {url: client.get(url)["ETag"] for url in kept}
        own = client.get(article.get_absolute_url())["ETag"]
        self.fix_a_typo(article, commit_callbacks)
        for url in kept:
            with django_assert_num_queries(0):  # still the kept page
                response = client.get(url, HTTP_IF_NONE_MATCH=before[url])
            assert response.status_code == 304, url
        fixed = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=own)
        assert fixed.status_code == 200 and "Original body, mended." in fixed.content.decode()

    def test_a_word_fixed_in_the_admin_leaves_the_lists_kept(
        self, client, editor_client, commit_callbacks
    ):
        from django.test import Client

        from tests.articles.admin_data import article_data, change_url

        def create():
            # As the admin saved it: published to the second, no login user as author.
            moment = timezone.now().replace(microsecond=0) - timezone.timedelta(days=1)
            article = ArticleFactory(published_at=moment, author=None, tags=["calm"])
            SectionFactory(article=article, position=1, body="<p>Calm breathng.</p>")
            return article

        article = commit_callbacks(create)
        reader = Client()
        before = {url: reader.get(url)["ETag"] for url in ("/", "/tags/calm/")}
        own = reader.get(article.get_absolute_url())["ETag"]
        data = article_data(
            title=article.title,
            slug=article.slug,
            standfirst=article.standfirst,
            status="published",
            published_at=article.published_at,
            tags=["calm"],
            existing=[(article.sections.get(), {"body": "<p>Calm breathing.</p>"})],
        )
        response = commit_callbacks(editor_client.post, change_url(article), data)
        assert response.status_code == 302
        for url, etag in before.items():
            assert reader.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url
        fixed = reader.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=own)
        assert fixed.status_code == 200 and "Calm breathing." in fixed.content.decode()

    def test_a_typo_fix_reaches_search_and_feeds(
        self, client, article, neighbour, commit_callbacks
    ):
        assert "mended" not in text(client, "/feed/")
        assert "Original title" not in text(client, "/search/?q=mended")
        self.fix_a_typo(article, commit_callbacks)
        assert "Original body, mended." in text(client, "/feed/")
        assert "Original title" in text(client, "/search/?q=mended")

    def test_a_new_title_reaches_every_page_showing_it(
        self, client, article, neighbour, commit_callbacks
    ):
        pages = ["/", "/tags/calm/", neighbour.get_absolute_url(), "/search/?q=calm", "/feed/"]
        for url in pages:
            assert "Original title" in text(client, url), url
        article.title = "Retitled calm"
        commit_callbacks(article.save)
        for url in pages:
            page = text(client, url)
            assert "Retitled calm" in page and "Original title" not in page, url

    def test_a_longer_text_changes_the_reading_time_on_cards(
        self, client, article, commit_callbacks
    ):
        assert "1 min read" in text(client, "/")
        section = article.sections.get()
        section.body = "<p>" + "calm " * 1000 + "</p>"
        commit_callbacks(section.save)
        assert "1 min read" not in text(client, "/")


def test_an_articles_version_does_not_outlive_its_pages(client, settings, redis_cache):
    """Any address asked for gets a version (a mistyped one too): it expires with the
    pages kept under it, so addresses nobody has leave nothing behind in Redis."""
    from django.core.cache import cache

    settings.ARTICLES_CACHE_SECONDS = 120
    assert client.get("/articles/no-such-article/").status_code == 404
    assert 0 < cache.ttl(page_cache.article_key("no-such-article")) <= 120


class TestArticleTextKept:
    """An article's cover, contents and text are kept under its own version: a new content
    version (an editor saving another article) renders the rest of its page again only."""

    def test_another_articles_save_renders_the_page_again_without_its_text(
        self, client, article, commit_callbacks, django_assert_num_queries
    ):
        url = article.get_absolute_url()
        other = ArticleFactory(title="Elsewhere", tags=["quiet"])
        first = client.get(url)
        commit_callbacks(other.save)
        # the article, its byline, its tags, its sources (for the JSON-LD citations), related,
        # previous/next, Popular Posts: no sections; and every tag's count of articles, kept
        # under the new listed version for every article page after it
        with django_assert_num_queries(8):
            again = client.get(url)
        assert again["ETag"] != first["ETag"]
        assert main_of(again.content.decode()) == main_of(first.content.decode())
        # The other article's first page: its sections, not the counts nor the ranking again.
        with django_assert_num_queries(7):
            client.get(other.get_absolute_url())

    def test_an_edit_to_the_article_replaces_its_text_at_once(
        self, client, article, commit_callbacks
    ):
        stamped = Article.objects.get(pk=article.pk).derived_at
        assert stamped is not None
        assert "Original body." in text(client, article.get_absolute_url())
        section = article.sections.get()
        section.body = "<p>Rewritten body.</p>"
        commit_callbacks(section.save)  # the article's own row is not saved
        assert Article.objects.get(pk=article.pk).derived_at > stamped
        page = text(client, article.get_absolute_url())
        assert "Rewritten body." in page and "Original body." not in page

    def test_a_section_added_reaches_the_contents_and_text(self, client, article, commit_callbacks):
        assert "Added later" not in text(client, article.get_absolute_url())
        commit_callbacks(SectionFactory, article=article, position=2, heading="Added later")
        page = text(client, article.get_absolute_url())
        assert page.count("Added later") == 2  # in the contents and as the heading


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
            ("redis://127.0.0.1:6379/3", "django_redis.cache.RedisCache"),
            ("rediss://cache.example:6380/0", "django_redis.cache.RedisCache"),
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
        from django.core.cache import caches

        redis_required("redis://127.0.0.1:6379/15")

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


class TestCanonicalAddress:
    """Tracking parameters say where a reader came from, not what the page shows."""

    TRACKED = [
        "?fbclid=IwAR0abc",
        "?fbclid=IwAR1xyz",
        "?utm_source=newsletter&utm_medium=email&utm_campaign=may",
        "?gclid=Cj0KCQ&ref=producthunt",
    ]

    def test_one_kept_copy_and_one_etag_whatever_the_tracking(
        self, client, article, django_assert_num_queries
    ):
        url = article.get_absolute_url()
        first = client.get(url)
        for tracking in self.TRACKED:
            # The copy the first visit left answers every tracked address: no query.
            with django_assert_num_queries(0):
                response = client.get(url + tracking)
            assert response.status_code == 200
            assert response["ETag"] == first["ETag"]
            assert response.content == first.content

    def test_a_tracked_visit_revalidates_with_a_304(self, client, article):
        url = article.get_absolute_url()
        etag = client.get(url + "?utm_source=x")["ETag"]
        assert client.get(url + "?fbclid=y", HTTP_IF_NONE_MATCH=etag).status_code == 304

    def test_parameters_that_change_the_page_still_count(self, client):
        for n in range(12):
            ArticleFactory(title=f"Calm article {n}")
        first, second = client.get("/"), client.get("/?page=2&utm_source=x")
        assert first["ETag"] != second["ETag"]
        assert client.get("/?utm_source=y&page=2")["ETag"] == second["ETag"]

    def test_a_revalidated_article_still_counts_its_view(self, client, article):
        from popularity.models import DailyView
        from tests.popularity.conftest import BROWSER, OTHER_BROWSER

        url = article.get_absolute_url()
        etag = client.get(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.1")["ETag"]
        again = client.get(
            url + "?fbclid=z",
            HTTP_USER_AGENT=OTHER_BROWSER,
            REMOTE_ADDR="198.51.100.2",
            HTTP_IF_NONE_MATCH=etag,
        )
        assert again.status_code == 304
        assert DailyView.objects.get(article=article).views == 2


def test_public_pages_are_the_same_bytes_for_every_reader(client, article):
    """No per-request nonce or token: any cache (Django's, a proxy's, a CDN) may keep them."""
    from django.core.cache import cache

    for url in [*PUBLIC_PAGES, article.get_absolute_url()]:
        first = client.get(url)
        cache.clear()  # rendered again from scratch
        second = client.get(url)
        assert first.content == second.content, url
        assert "nonce" not in first["Content-Security-Policy"], url


def test_pages_are_served_uncached_while_redis_is_down(client, settings, commit_callbacks):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }
    article = commit_callbacks(ArticleFactory, title="Still readable", tags=["calm"])
    for url in [*PUBLIC_PAGES, article.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Still readable" in client.get("/").content.decode()


def test_a_transaction_saving_many_rows_starts_one_content_version(
    django_capture_on_commit_callbacks,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = ArticleFactory()
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for position in range(1, 6):
                SectionFactory(article=article, position=position)
    # A new version reads when the next scheduled article is due: once, not once a row.
    assert sum('MIN("articles_article"."published_at")' in q["sql"] for q in queries) == 1


class TestProcessCopies:
    """Each worker keeps its own copies of the pages read most (CACHES["pages"]), under
    their ETags, beside the shared cache."""

    def test_a_kept_page_is_answered_from_the_workers_own_copy(
        self, client, article, django_assert_num_queries
    ):
        from django.core.cache import cache

        url = article.get_absolute_url()
        first = client.get(url)
        cache.delete(f"page:{first['ETag']}")  # the shared copy gone: this worker has one
        with django_assert_num_queries(0):
            again = client.get(url + "?fbclid=IwAR0abc")
        assert again.content == first.content and again["ETag"] == first["ETag"]
        assert cache.get(f"page:{first['ETag']}") is None  # answered without the shared copy

    def test_a_copy_never_outlives_the_versions_it_was_kept_under(self, client, article):
        """An emptied shared cache (a Redis restarted) starts new versions, so new ETags:
        the pages show the database as it is now, even where a worker kept a copy."""
        from django.core.cache import cache

        url = article.get_absolute_url()
        before = client.get(url)
        Article.objects.filter(pk=article.pk).update(title="Changed without a signal")
        cache.clear()
        after = client.get(url)
        assert after["ETag"] != before["ETag"]
        assert "Changed without a signal" in after.content.decode()
        assert "Changed without a signal" in text(client, "/")
