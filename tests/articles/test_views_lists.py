"""The pages that list articles: the home page and a tag's page."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, TaggedArticle
from tests.articles.page_reading import days_ago, html_of, main_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


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
        assert 'class="card card--hero"' in main

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


def test_counts_are_grouped_in_thousands(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    calm = Tag.objects.create(name="Calm", slug="calm")
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Calm {n}",
            slug=f"calm-{n}",
            standfirst="Calm.",
            status=Article.Status.PUBLISHED,
            published_at=now,
        )
        for n in range(1_234)
    )
    TaggedArticle.objects.bulk_create(TaggedArticle(content_object=a, tag=calm) for a in articles)
    assert "1,234 articles" in html_of(client, "/tags/")
    topic = html_of(client, "/tags/calm/")
    assert "1,234 articles on this topic" in topic
    assert "Page 1 of 1,234" in topic
