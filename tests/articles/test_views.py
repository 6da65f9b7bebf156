import json
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = timezone.timedelta(days=1)


def days_ago(n: float):
    return timezone.now() - n * DAY


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


class TestHome:
    def test_lists_published_articles_newest_first(self, client):
        ArticleFactory(title="Older calm", published_at=days_ago(30))
        ArticleFactory(title="Newer calm", published_at=days_ago(2))
        ArticleFactory(title="Secret draft", draft=True)
        ArticleFactory(title="Not yet", scheduled=True)
        html = html_of(client, "/")
        assert html.index("Newer calm") < html.index("Older calm")
        assert "Secret draft" not in html and "Not yet" not in html

    def test_featured_article_comes_first_and_is_not_repeated(self, client):
        ArticleFactory(title="Just published", published_at=days_ago(1))
        ArticleFactory(title="The featured one", featured=True, published_at=days_ago(9))
        main = main_of(html_of(client, "/"))
        assert main.count("The featured one") == 1
        assert main.index("The featured one") < main.index("Just published")
        assert 'class="featured"' in main

    def test_a_card_shows_standfirst_date_reading_time_and_tag_links(self, client):
        ArticleFactory(
            title="Soft breath",
            standfirst="Exhale for longer.",
            published_at=datetime(2025, 3, 4, 9, tzinfo=UTC),
            tags=["breathing"],
        )
        main = main_of(html_of(client, "/"))
        assert "Exhale for longer." in main
        assert '<time datetime="2025-03-04T09:00:00+00:00">4 March 2025</time>' in main
        assert "1 min read" in main
        assert '<a href="/tags/breathing/">breathing</a>' in main

    def test_paginates(self, client, settings):
        settings.ARTICLES_PER_PAGE = 2
        for n in range(5):
            ArticleFactory(title=f"Piece {n}", published_at=days_ago(n + 1))
        first, third = html_of(client, "/"), html_of(client, "/?page=3")
        assert "Piece 0" in first and "Piece 1" in first and "Piece 2" not in first
        assert "Piece 4" in third and "Page 3 of 3" in third
        assert 'rel="next" href="?page=2"' in first
        assert 'rel="prev" href="?page=2"' in third

    @pytest.mark.parametrize(
        "page", ["0", "-1", "abc", "last", "", "1.5", "4", "99999999999999999999", "1%00"]
    )
    def test_bad_page_numbers_answer_404(self, client, settings, page):
        settings.ARTICLES_PER_PAGE = 2
        for _ in range(5):
            ArticleFactory()
        html = html_of(client, f"/?page={page}", status=404)
        assert "couldn’t find that page" in html

    def test_empty_site_is_a_calm_page_not_an_error(self, client):
        assert "No articles yet" in html_of(client, "/")

    def test_page_links_drop_unknown_parameters(self, client, settings):
        settings.ARTICLES_PER_PAGE = 1
        ArticleFactory(), ArticleFactory()
        html = html_of(client, "/?utm_source=x&q=evil")
        assert 'href="?page=2"' in html
        assert "utm_source" not in main_of(html) and "evil" not in main_of(html)


class TestArticlePage:
    def test_sections_in_order_nested_under_their_heading(self, client):
        article = ArticleFactory(title="Sleep well")
        SectionFactory(article=article, position=3, heading="Another part", level=2)
        SectionFactory(article=article, position=2, heading="Second part", level=3)
        SectionFactory(article=article, position=1, heading="First part", level=2)
        html = html_of(client, article.get_absolute_url())
        body = html[html.index('class="prose"') :]
        # The H3 section sits inside the H2 section before it.
        assert re.search(
            r'<section>\s*<h2 id="first-part">First part</h2>\s*<p>.*?</p>\s*'
            r'<section>\s*<h3 id="second-part">Second part</h3>\s*<p>.*?</p>\s*</section>\s*'
            r'</section>\s*<section>\s*<h2 id="another-part">Another part</h2>',
            body,
        )

    def test_table_of_contents_links_every_section_with_h3_nested(self, client):
        article = ArticleFactory()
        SectionFactory(article=article, position=1, heading="Why", level=2)
        SectionFactory(article=article, position=2, heading="How exactly", level=3)
        SectionFactory(article=article, position=3, heading="When", level=2)
        html = html_of(client, article.get_absolute_url())
        toc = html[html.index('<nav class="toc"') : html.index("</nav>", html.index('class="toc"'))]
        assert re.search(
            r'<li><a href="#why">Why</a>\s*<ol><li><a href="#how-exactly">How exactly</a></li></ol>'
            r'</li>\s*<li><a href="#when">When</a></li>',
            toc,
        )

    def test_header_shows_author_dates_and_reading_time(self, client):
        author = UserFactory(first_name="Ada", last_name="Calm")
        article = ArticleFactory(author=author, published_at=datetime(2025, 5, 1, 9, tzinfo=UTC))
        html = html_of(client, article.get_absolute_url())
        assert "Ada Calm" in html
        assert 'Published <time datetime="2025-05-01T09:00:00+00:00">1 May 2025</time>' in html
        assert "Updated <time" in html  # saved today, published in May
        assert "1 min read" in html

    def test_exactly_one_h1_and_the_landmarks(self, client):
        article = ArticleFactory()
        SectionFactory(article=article)
        html = html_of(client, article.get_absolute_url())
        assert html.count("<h1") == 1
        for landmark in (
            '<header class="site-header"',
            '<main id="main_content"',
            "<footer",
            "<aside",
        ):
            assert landmark in html
        assert '<a class="skip-link" href="#main_content">' in html
        assert '<nav class="site-nav" aria-label="Main">' in html

    def test_ids_stay_unique_whatever_the_headings(self, client):
        article = ArticleFactory(tags=["x"])
        ArticleFactory(tags=["x"])
        headings = ["Main", "Main content", "Toc title", "Related title", "Article title"]
        for position, heading in enumerate(headings, start=1):
            SectionFactory(article=article, position=position, heading=heading, anchor="")
        ids = re.findall(r'\sid="([^"]+)"', html_of(client, article.get_absolute_url()))
        assert len(ids) == len(set(ids)) and "main" in ids and "main_content" in ids

    def test_tags_link_to_tag_pages(self, client):
        article = ArticleFactory(tags=["sleep", "Self Care"])
        html = html_of(client, article.get_absolute_url())
        assert '<a href="/tags/sleep/">sleep</a>' in html
        assert '<a href="/tags/self-care/">Self Care</a>' in html

    def test_related_by_most_shared_tags_then_newest_never_itself_or_unpublished(self, client):
        article = ArticleFactory(tags=["a", "b", "c"])
        one_tag_new = ArticleFactory(title="One tag, new", tags=["a"], published_at=days_ago(2))
        two_tags_old = ArticleFactory(
            title="Two tags, old", tags=["a", "b"], published_at=days_ago(40)
        )
        one_tag_old = ArticleFactory(title="One tag, old", tags=["c"], published_at=days_ago(30))
        ArticleFactory(title="Hidden draft", tags=["a", "b", "c"], draft=True)
        ArticleFactory(title="Hidden scheduled", tags=["a", "b", "c"], scheduled=True)
        ArticleFactory(title="Unrelated", tags=["z"])
        html = html_of(client, article.get_absolute_url())
        related = html[
            html.index('id="related_title"') : html.index(
                "</section>", html.index('id="related_title"')
            )
        ]
        titles = re.findall(r'<h3 class="mini-card__title"><a href="[^"]+">([^<]+)</a>', related)
        assert titles == [two_tags_old.title, one_tag_new.title, one_tag_old.title]
        assert article.title not in related

    def test_previous_and_next_articles(self, client):
        older = ArticleFactory(title="The older one", published_at=days_ago(10))
        article = ArticleFactory(published_at=days_ago(5))
        newer = ArticleFactory(title="The newer one", published_at=days_ago(1))
        ArticleFactory(title="Draft between", draft=True)
        html = html_of(client, article.get_absolute_url())
        assert f'rel="prev" href="{older.get_absolute_url()}"' in html
        assert f'rel="next" href="{newer.get_absolute_url()}"' in html
        first = html_of(client, older.get_absolute_url())
        assert 'rel="prev"' not in main_of(first) and 'rel="next"' in main_of(first)

    def test_articles_published_at_the_same_moment_still_have_an_order(self, client):
        moment = days_ago(3)
        a, b, c = (ArticleFactory(published_at=moment) for _ in range(3))
        html = html_of(client, b.get_absolute_url())
        assert f'rel="prev" href="{a.get_absolute_url()}"' in html
        assert f'rel="next" href="{c.get_absolute_url()}"' in html

    @pytest.mark.parametrize("trait", ["draft", "scheduled"])
    def test_unpublished_articles_answer_404(self, client, trait):
        article = ArticleFactory(**{trait: True})
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_unknown_slug_answers_404_in_the_site_look(self, client):
        html = html_of(client, reverse("articles:detail", kwargs={"slug": "nope"}), status=404)
        assert "couldn’t find that page" in html and 'class="site-header"' in html
        assert '<meta name="robots" content="noindex">' in html

    def test_section_html_is_the_sanitised_body(self, client):
        article = ArticleFactory()
        SectionFactory(article=article, body='<p>Hi <script>alert(1)</script><a href="x">y</a></p>')
        html = html_of(client, article.get_absolute_url())
        assert "<script>alert(1)" not in html
        assert "<p>Hi" in html


class TestSeo:
    def test_article_head_has_title_description_canonical_and_social_cards(self, client):
        article = ArticleFactory(title="Calm & clear", standfirst='Breathe "slowly".')
        html = html_of(client, article.get_absolute_url() + "?utm_source=feed")
        head = html[: html.index("</head>")]
        assert "<title>Calm &amp; clear · Happy Inner Self</title>" in head
        assert '<meta name="description" content="Breathe &quot;slowly&quot;.">' in head
        url = f"http://testserver{article.get_absolute_url()}"
        assert f'<link rel="canonical" href="{url}">' in head
        assert f'<meta property="og:url" content="{url}">' in head
        assert '<meta property="og:type" content="article">' in head
        assert '<meta property="og:title" content="Calm &amp; clear">' in head
        assert '<meta name="twitter:card" content="summary">' in head  # no cover

    def test_article_json_ld_and_breadcrumbs(self, client):
        author = UserFactory(first_name="Ada", last_name="Calm")
        article = ArticleFactory(title="A </script> title", author=author, tags=["sleep"])
        html = html_of(client, article.get_absolute_url())
        assert "A </script> title" not in html  # escaped in the page and in the JSON-LD
        data, crumbs = json_ld(html)
        assert data["@type"] == "Article"
        assert data["headline"] == "A </script> title"
        assert data["author"] == {"@type": "Person", "name": "Ada Calm"}
        assert data["datePublished"] == article.published_at.isoformat()
        assert data["mainEntityOfPage"]["@id"].endswith(article.get_absolute_url())
        assert crumbs["@type"] == "BreadcrumbList"
        items = crumbs["itemListElement"]
        assert [i["name"] for i in items] == ["Happy Inner Self", "sleep", "A </script> title"]
        assert items[1]["item"] == "http://testserver/tags/sleep/"

    def test_list_pages_canonical_keeps_only_the_page_number(self, client, settings):
        settings.ARTICLES_PER_PAGE = 1
        ArticleFactory(), ArticleFactory()
        assert '<link rel="canonical" href="http://testserver/">' in html_of(client, "/?x=1")
        page_two = html_of(client, "/?page=2&x=1")
        assert '<link rel="canonical" href="http://testserver/?page=2">' in page_two

    def test_search_pages_are_not_indexed(self, client):
        assert '<meta name="robots" content="noindex, follow">' in html_of(client, "/search/?q=a")


class TestTags:
    def test_tag_page_lists_only_published_articles_with_the_tag(self, client):
        ArticleFactory(title="Sleep one", tags=["sleep"])
        ArticleFactory(title="Sleep draft", tags=["sleep"], draft=True)
        ArticleFactory(title="Other topic", tags=["stress"])
        html = html_of(client, "/tags/sleep/")
        assert "Sleep one" in html
        assert "Sleep draft" not in html and "Other topic" not in html
        assert "<h1>Sleep" in html and "1 article on this topic" in html
        assert 'href="/tags/sleep/feed/"' in html

    def test_tag_page_paginates_and_refuses_bad_pages(self, client, settings):
        settings.ARTICLES_PER_PAGE = 2
        for _ in range(3):
            ArticleFactory(tags=["sleep"])
        assert client.get("/tags/sleep/?page=2").status_code == 200
        for page in ("3", "0", "x"):
            assert client.get(f"/tags/sleep/?page={page}").status_code == 404

    def test_unknown_tag_and_tag_with_only_drafts_answer_404(self, client):
        ArticleFactory(tags=["secret"], draft=True)
        assert client.get("/tags/secret/").status_code == 404
        assert client.get("/tags/never-heard-of-it/").status_code == 404

    def test_index_counts_published_articles_and_hides_empty_tags(self, client):
        ArticleFactory(tags=["sleep", "stress"])
        ArticleFactory(tags=["sleep"])
        ArticleFactory(tags=["sleep", "secret"], draft=True)
        ArticleFactory(tags=["later"], scheduled=True)
        html = main_of(html_of(client, "/tags/"))
        assert re.search(r"Sleep</span>\s*<span[^>]*>2 articles<", html)
        assert re.search(r"Stress</span>\s*<span[^>]*>1 article<", html)
        assert "Secret" not in html and "Later" not in html
        assert html.index("Sleep") < html.index("Stress")


class TestSearch:
    @staticmethod
    def article_with_body(title: str, body: str, **kwargs):
        article = ArticleFactory(title=title, **kwargs)
        SectionFactory(article=article, body=body)
        return article

    def test_finds_words_in_section_bodies_and_highlights_them(self, client, commit_callbacks):
        commit_callbacks(
            self.article_with_body,
            "A twitching face",
            "<p>Injections of <strong>Botox</strong> help.</p>",
        )
        commit_callbacks(ArticleFactory, title="Unrelated sleep notes")
        html = html_of(client, "/search/?q=botox")
        assert "1 article found for" in html
        assert "A twitching face" in html and "Unrelated sleep notes" not in html
        assert "Injections of <mark>Botox</mark> help" in html

    def test_the_query_fills_title_and_form_escaped(self, client, commit_callbacks):
        commit_callbacks(ArticleFactory, title="Calm evenings")
        html = html_of(client, "/search/?q=%3Cb%3Ecalm%3C/b%3E+%22x%22")
        assert (
            "<title>Search: &lt;b&gt;calm&lt;/b&gt; &quot;x&quot; · Happy Inner Self</title>"
            in html
        )
        assert 'value="&lt;b&gt;calm&lt;/b&gt; &quot;x&quot;"' in html
        assert "<b>" not in html
        # The layout is kept between queries, never the query: the next one has its own.
        html = html_of(client, "/search/?q=evenings")
        assert "<title>Search: evenings · Happy Inner Self</title>" in html
        assert 'value="evenings"' in html and "calm&lt;" not in html
        assert "1 article found for <strong>“evenings”</strong>" in html

    def test_a_long_query_is_cut_in_the_title(self, client):
        html = html_of(client, "/search/?q=" + "serenity+" * 20)
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert title == "Search: " + ("serenity " * 7)[:59] + "… · Happy Inner Self"

    def test_each_host_has_its_own_canonical_address(self, client, settings):
        settings.ALLOWED_HOSTS = ["a.example", "b.example"]
        for host in ("a.example", "b.example", "a.example"):
            html = client.get("/search/?q=calm", HTTP_HOST=host).content.decode()
            assert f'<link rel="canonical" href="http://{host}/search/">' in html

    def test_stemming_finds_other_forms_of_a_word(self, client, commit_callbacks):
        commit_callbacks(ArticleFactory, title="Breathing slowly")
        assert "Breathing slowly" in html_of(client, "/search/?q=breathes")

    def test_only_published_articles_are_found(self, client, commit_callbacks):
        commit_callbacks(ArticleFactory, title="Hidden botox draft", draft=True)
        commit_callbacks(ArticleFactory, title="Future botox", scheduled=True)
        html = html_of(client, "/search/?q=botox")
        assert "No articles match" in html and "Hidden" not in main_of(html).split("</form>")[1]

    def test_empty_query_is_a_friendly_page(self, client):
        html = html_of(client, "/search/?q=%20%20")
        assert "Type a word or two" in html

    def test_stop_words_only_is_a_friendly_page(self, client, commit_callbacks):
        commit_callbacks(ArticleFactory, title="The calm and the storm")
        html = html_of(client, "/search/?q=the+and+of")
        assert "only of very common words" in html

    def test_ranked_title_above_body(self, client, commit_callbacks):
        commit_callbacks(
            self.article_with_body,
            "A quiet evening",
            "<p>Some lavender helps.</p>",
            published_at=days_ago(1),
        )
        commit_callbacks(ArticleFactory, title="Lavender for sleep", published_at=days_ago(9))
        html = html_of(client, "/search/?q=lavender")
        assert html.index("Lavender for sleep") < html.index("A quiet evening")

    def test_paginates_keeping_the_query(self, client, settings, commit_callbacks):
        settings.ARTICLES_PER_PAGE = 1
        commit_callbacks(ArticleFactory, title="Calm one")
        commit_callbacks(ArticleFactory, title="Calm two")
        html = html_of(client, "/search/?q=calm&utm=1")
        assert 'rel="next" href="?q=calm&amp;page=2"' in html
        assert client.get("/search/?q=calm&page=3").status_code == 404
        assert client.get("/search/?q=calm&page=zero").status_code == 404

    def test_each_query_keeps_its_own_words_in_the_page_links(
        self, client, settings, commit_callbacks
    ):
        # The links are kept per page number and count: the second query must not get the
        # first one's words, and odd characters stay encoded in the address.
        settings.ARTICLES_PER_PAGE = 1
        commit_callbacks(ArticleFactory, title="Calm sleep one")
        commit_callbacks(ArticleFactory, title="Calm sleep two")
        assert 'rel="next" href="?q=calm&amp;page=2"' in html_of(client, "/search/?q=calm")
        html = html_of(client, "/search/?q=sleep")
        assert 'rel="next" href="?q=sleep&amp;page=2"' in html and "q=calm" not in html
        html = html_of(client, "/search/?q=sleep+%26+%3C%3E")
        assert 'rel="next" href="?q=sleep+%26+%3C%3E&amp;page=2"' in html
        second = html_of(client, "/search/?q=sleep&page=2")
        assert 'rel="prev" href="?q=sleep"' in second and "Page 2 of 2" in second

    def test_every_page_counts_all_the_matches(self, client, settings, commit_callbacks):
        settings.ARTICLES_PER_PAGE = 2
        for n in range(5):
            commit_callbacks(ArticleFactory, title=f"Calm {n}", published_at=days_ago(n + 1))
        commit_callbacks(ArticleFactory, title="Unrelated sleep notes")
        last = html_of(client, "/search/?q=calm&page=3")
        assert "5 articles found for" in last
        assert "Calm 4" in last and "Calm 0" not in last
        assert 'rel="prev" href="?q=calm&amp;page=2"' in last and 'rel="next"' not in last
        assert "5 articles found for" in html_of(client, "/search/?q=calm&page=2")


class TestRobotsAndErrors:
    def test_robots_txt_points_at_the_sitemap(self, client):
        response = client.get("/robots.txt")
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert "Sitemap: http://testserver/sitemap.xml" in text
        assert "Disallow: /admin/" in text

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
        # the article, version, sections, tags, related, previous/next, Popular Posts;
        # then none: the page is kept whole under the content version, which any change to
        # the article's visibility replaces
        self.assert_counts(client, django_assert_num_queries, url, cold=7, warm=0)

    def test_tag(self, client, django_assert_num_queries):
        # version, tag, count, page + its tags
        self.assert_counts(client, django_assert_num_queries, "/tags/shared/", cold=5, warm=0)

    def test_tag_index(self, client, django_assert_num_queries):
        self.assert_counts(client, django_assert_num_queries, "/tags/", cold=2, warm=0)

    def test_search(self, client, django_assert_num_queries, commit_callbacks):
        # version, the count, the page with its snippets; then one cache read
        commit_callbacks(ArticleFactory, standfirst="Calmer days, and a calm mind.")
        self.assert_counts(client, django_assert_num_queries, "/search/?q=calm", cold=3, warm=0)

    def test_search_without_results(self, client, django_assert_num_queries):
        # version, the count, whether there were words to look for, "Did you mean"
        self.assert_counts(client, django_assert_num_queries, "/search/?q=zebra", cold=4, warm=0)

    def test_empty_search(self, client, django_assert_num_queries):
        # nothing to look for: the content version only (the page is kept like any other)
        self.assert_counts(client, django_assert_num_queries, "/search/", cold=1, warm=0)

    def test_robots(self, client, django_assert_num_queries):
        self.assert_counts(client, django_assert_num_queries, "/robots.txt", cold=0, warm=0)
