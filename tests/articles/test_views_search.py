"""The search page."""

import re

import pytest

from tests.articles.page_reading import days_ago, html_of, main_of
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


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
