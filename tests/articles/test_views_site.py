"""robots.txt, error pages, and the number of queries each page costs."""

import importlib
import io

import pytest
from PIL import Image

from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


class TestRobotsAndErrors:
    def test_robots_txt_points_at_the_sitemap(self, client):
        response = client.get("/robots.txt")
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert "Sitemap: http://testserver/sitemap.xml" in text
        assert "Disallow: /admin/" in text

    def test_search_is_kept_out_of_indexes_by_its_meta_tag_not_by_robots_txt(self, client):
        # A crawler may only read the noindex of a page it is allowed to fetch.
        rules = client.get("/robots.txt").content.decode()
        assert "/search" not in rules
        html = client.get("/search/?q=calm").content.decode()
        assert '<meta name="robots" content="noindex, follow">' in html

    def test_500_page_renders_without_a_request_or_database(self, django_db_blocker):
        from django.test import RequestFactory
        from django.views.defaults import server_error

        with django_db_blocker.block():
            response = server_error(RequestFactory().get("/boom/"))
        html = response.content.decode()
        assert response.status_code == 500
        assert "Something went wrong on our side" in html
        assert 'class="site-header"' in html and "site.css" in html

    def test_an_unexpected_error_shows_the_500_page(self, client, monkeypatch):
        from articles import views

        def boom(**kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(views.selectors, "tag_counts_public", boom)
        client.raise_request_exception = False
        response = client.get("/tags/")
        assert response.status_code == 500
        assert "Something went wrong on our side" in response.content.decode()


class TestQueryCounts:
    """Each page's queries are fixed whatever the number of articles, sections and tags.

    A first request (cold cache) reads the content version (1 query) and renders; a
    repeat request is served whole from the shared cache.
    """

    @staticmethod
    def make(n: int) -> None:
        for i in range(n):
            article = ArticleFactory(tags=[f"t{i}", "shared", "calm"], featured=i == 0)
            for position in range(1, 4):
                SectionFactory(article=article, position=position, level=2 + position % 2)

    def assert_counts(self, client, django_assert_num_queries, url, cold, warm):
        from django.core.cache import cache

        for n in (2, 7):
            self.make(n)
            cache.clear()
            with django_assert_num_queries(cold):
                assert client.get(url).status_code == 200
            with django_assert_num_queries(warm):
                assert client.get(url).status_code == 200

    def test_home(self, client, django_assert_num_queries):
        # version, count, featured + its tags, page + its tags, Popular Posts
        self.assert_counts(client, django_assert_num_queries, "/", cold=7, warm=0)

    def test_home_page_two(self, client, django_assert_num_queries, settings):
        settings.ARTICLES_PER_PAGE = 1
        ArticleFactory()
        # version, count, page + its tags (the featured one is excluded in the same query),
        # Popular Posts
        self.assert_counts(client, django_assert_num_queries, "/?page=2", cold=5, warm=0)

    def test_article(self, client, django_assert_num_queries):
        self.make(1)
        url = ArticleFactory(tags=["shared"]).get_absolute_url()
        # the article, version, sections, byline, sources, tags, every tag's count of
        # articles (kept for the pages after it), related, previous/next, Popular Posts;
        # then none: the page is kept whole under the content version, which any change to
        # the article's visibility replaces
        self.assert_counts(client, django_assert_num_queries, url, cold=10, warm=0)

    def test_tag(self, client, django_assert_num_queries):
        # version, tag, count, page + its tags
        self.assert_counts(client, django_assert_num_queries, "/tags/shared/", cold=5, warm=0)

    def test_tag_index(self, client, django_assert_num_queries):
        self.assert_counts(client, django_assert_num_queries, "/tags/", cold=2, warm=0)

    def test_search(self, client, django_assert_num_queries, commit_callbacks):
        # version, the ranking of the newest matches (their count), the page with its
        # snippets; then one cache read
        commit_callbacks(ArticleFactory, standfirst="Calmer days, and a calm mind.")
        self.assert_counts(client, django_assert_num_queries, "/search/?q=calm", cold=3, warm=0)

    def test_search_without_results(self, client, django_assert_num_queries):
        # version, the ranking (empty), whether there were words to look for, "Did you mean"
        self.assert_counts(client, django_assert_num_queries, "/search/?q=zebra", cold=4, warm=0)

    def test_empty_search(self, client, django_assert_num_queries):
        # nothing to look for: the content version only (the page is kept like any other)
        self.assert_counts(client, django_assert_num_queries, "/search/", cold=1, warm=0)

    def test_robots(self, client, django_assert_num_queries):
        self.assert_counts(client, django_assert_num_queries, "/robots.txt", cold=0, warm=0)


class TestFollowPage:
    def test_gives_the_feed_addresses_of_the_site_and_of_published_topics_only(
        self, client, django_assert_num_queries
    ):
        ArticleFactory(tags=["sleep"])
        ArticleFactory(tags=["secret"], draft=True)
        # the content version, the topics
        with django_assert_num_queries(2):
            html = client.get("/follow/").content.decode()
        assert 'value="http://testserver/feed/"' in html
        assert '<li id="topic-sleep">' in html
        assert "http://testserver/tags/sleep/feed/</a>" in html
        assert "/tags/secret/" not in html
        with django_assert_num_queries(0):
            assert client.get("/follow/").content.decode() == html


class TestIssue18SiteFiles:
    def test_favicon_ico_is_a_cached_redirect_to_a_real_icon(self, client):
        response = client.get("/favicon.ico")
        assert response.status_code == 302
        assert response["Location"] == "/static/favicon.ico"
        assert "max-age=86400" in response["Cache-Control"]
        assert "public" in response["Cache-Control"]
        icon = client.get(response["Location"])
        assert icon.status_code == 200
        with Image.open(io.BytesIO(b"".join(icon.streaming_content))) as ico:
            assert ico.format == "ICO"
            assert {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
        assert client.post("/favicon.ico").status_code == 405

    def test_pages_name_the_icon(self, client):
        ArticleFactory()
        html = client.get("/").content.decode()
        assert '<link rel="icon" href="/static/favicon.ico" sizes="48x48">' in html


@pytest.fixture
def development(settings, monkeypatch):
    """The development settings' DEBUG and middleware, as `./scripts/run` has them."""

    def load(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        from happyinnerself.settings import dev

        dev = importlib.reload(dev)
        settings.DEBUG = True
        settings.MIDDLEWARE = dev.MIDDLEWARE

    yield load
    monkeypatch.delenv("DEBUG_NOT_FOUND_PAGE", raising=False)


class TestDevelopmentNotFound:
    def test_development_shows_the_sites_own_404(self, client, development):
        development()
        ArticleFactory(slug="real")
        for path in ("/no-such-page/", "/articles/no-such-article/", "/tags/nothing/"):
            response = client.get(path)
            html = response.content.decode()
            assert response.status_code == 404, path
            assert "We couldn’t find that page" in html, path
            assert "Using the URLconf" not in html and "DEBUG = True" not in html, path
        # A missing slash still redirects first, as in production.
        assert client.get("/articles/real").status_code == 301

    def test_the_technical_page_stays_one_setting_away(self, client, development):
        development(DEBUG_NOT_FOUND_PAGE="true")
        html = client.get("/no-such-page/").content.decode()
        assert "DEBUG = True" in html and "We couldn’t find that page" not in html
