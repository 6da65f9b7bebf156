"""Author pages, and the bylines and structured data that lead to them."""

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.core.cache import cache

from articles import selectors, services
from articles.cache import content_changed
from articles.models import Article
from tests.articles.conftest import image_file
from tests.articles.page_reading import days_ago, html_of, json_ld, main_of
from tests.factories import (
    ArticleFactory,
    AuthorLinkFactory,
    AuthorProfileFactory,
    ReviewerFactory,
    SectionFactory,
    UserFactory,
    byline,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def neurologist():
    profile = AuthorProfileFactory(
        name="Dr Ana Ruiz",
        slug="ana-ruiz",
        credentials="MD, neurologist",
        job_title="Consultant neurologist",
        bio="Ana treats movement disorders and writes about the face's nerves.",
    )
    AuthorLinkFactory(profile=profile, label="ORCID", url="https://orcid.org/0000-0002-1825-0097")
    AuthorLinkFactory(profile=profile, label="Website", url="https://ana.example.org/")
    return profile


@pytest.fixture
def writer():
    return AuthorProfileFactory(name="Sam Lee", slug="sam-lee")


def card_titles(html: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def health_article(**fields) -> Article:
    article = ArticleFactory(health_content=True, **fields)
    SectionFactory(article=article, position=1, heading="What a twitch is")
    return article


def review(article: Article, reviewer, on: date) -> Article:
    return services.article_review_record(article=article, reviewer=reviewer, reviewed_on=on)


def reviews_listed(html: str) -> list[tuple[str, str]]:
    """The author page's reviewed articles: (title, what the line says of the review)."""
    items = re.findall(
        r'<li><a href="[^"]+">([^<]+)</a> <span class="reviewed-list__when">(.*?)</span></li>', html
    )
    return [(title, re.sub(r"<[^>]+>", "", when)) for title, when in items]


class TestByline:
    def test_every_author_in_order_linked_with_credentials(self, client, neurologist, writer):
        article = ArticleFactory(title="Why faces twitch")
        byline(article, writer, neurologist)
        html = html_of(client, article.get_absolute_url())
        line = html[html.index('class="byline"') : html.index("</p>", html.index('class="byline"'))]
        found = re.findall(r'<a class="byline__author" href="([^"]+)">([^<]+)</a>', line)
        assert found == [("/authors/sam-lee/", "Sam Lee"), ("/authors/ana-ruiz/", "Dr Ana Ruiz")]
        assert 'Dr Ana Ruiz</a><span class="byline__credentials">, MD, neurologist' in line
        assert "Sam Lee</a> and <a" in line

    def test_an_article_without_profiles_keeps_its_login_users_name(self, client):
        article = ArticleFactory(author=UserFactory(first_name="Ada", last_name="Calm"))
        html = html_of(client, article.get_absolute_url())
        assert '<span class="byline__author">Ada Calm</span>' in html
        assert json_ld(html)[0]["author"]["name"] == "Ada Calm"

    def test_renaming_an_author_shows_at_once_on_cached_pages(
        self, client, writer, commit_callbacks
    ):
        article = ArticleFactory()
        byline(article, writer)
        assert "Sam Lee" in html_of(client, article.get_absolute_url())
        writer.name = "Samantha Lee"
        commit_callbacks(writer.save)
        assert "Samantha Lee" in html_of(client, article.get_absolute_url())
        assert "Samantha Lee" in html_of(client, writer.get_absolute_url())

    def test_feeds_name_the_byline(self, client, neurologist, writer):
        article = ArticleFactory()
        byline(article, neurologist, writer)
        atom = ET.fromstring(client.get("/feed/atom/").content)
        ns = "{http://www.w3.org/2005/Atom}"
        names = [e.findtext(f"{ns}author/{ns}name") for e in atom.findall(f"{ns}entry")]
        assert names == ["Dr Ana Ruiz, Sam Lee"]


class TestStructuredData:
    def test_article_author_is_a_list_of_people_field_by_field(self, client, neurologist, writer):
        neurologist.photo = image_file("ana.jpg", size=(600, 600))
        neurologist.photo_alt = "Ana Ruiz smiling, in a blue jacket"
        neurologist.save()
        article = ArticleFactory(title="Why faces twitch")
        byline(article, neurologist, writer)
        data = json_ld(html_of(client, article.get_absolute_url()))[0]
        first, second = data["author"]
        assert first["@type"] == "Person"
        assert first["name"] == "Dr Ana Ruiz"
        assert first["url"] == f"{BASE}/authors/ana-ruiz/"
        assert first["jobTitle"] == "Consultant neurologist"
        assert first["hasCredential"] == {
            "@type": "EducationalOccupationalCredential",
            "name": "MD, neurologist",
        }
        assert first["sameAs"] == [
            "https://orcid.org/0000-0002-1825-0097",
            "https://ana.example.org/",
        ]
        square = next(c for c in neurologist.photo_renditions["crops"] if c["ratio"] == "1:1")
        assert first["image"] == f"{BASE}/media/{square['name']}"
        assert (square["width"], square["height"]) == (600, 600)
        assert second == {"@type": "Person", "name": "Sam Lee", "url": f"{BASE}/authors/sam-lee/"}

    def test_author_url_answers_and_lists_the_article(self, client, neurologist):
        article = ArticleFactory(title="Why faces twitch")
        byline(article, neurologist)
        person = json_ld(html_of(client, article.get_absolute_url()))[0]["author"][0]
        response = client.get(person["url"].removeprefix(BASE))
        assert response.status_code == 200
        assert card_titles(response.content.decode()) == ["Why faces twitch"]

    def test_author_page_is_a_profile_page_about_a_person(self, client, neurologist):
        data = json_ld(html_of(client, neurologist.get_absolute_url()))[0]
        assert data["@type"] == "ProfilePage"
        assert data["url"] == f"{BASE}/authors/ana-ruiz/"
        person = data["mainEntity"]
        assert person["@type"] == "Person"
        assert person["name"] == "Dr Ana Ruiz"
        assert person["url"] == data["url"]
        assert person["jobTitle"] == "Consultant neurologist"
        assert person["hasCredential"]["name"] == "MD, neurologist"
        assert person["sameAs"][0] == "https://orcid.org/0000-0002-1825-0097"
        assert person["description"].startswith("Ana treats")
        assert "image" not in person  # no photo


class TestAuthorPage:
    def test_bio_credentials_links_and_published_articles(self, client, neurologist):
        for title, when in (("Older", days_ago(9)), ("Newer", days_ago(1))):
            byline(ArticleFactory(title=title, published_at=when), neurologist)
        byline(ArticleFactory(title="Secret draft", draft=True), neurologist)
        byline(ArticleFactory(title="Coming soon", scheduled=True), neurologist)
        ArticleFactory(title="Someone else's")
        html = html_of(client, "/authors/ana-ruiz/")
        main = main_of(html)
        assert "<h1>Dr Ana Ruiz</h1>" in main
        assert "MD, neurologist · Consultant neurologist" in main
        assert "Ana treats movement disorders" in main
        assert '<a href="https://orcid.org/0000-0002-1825-0097" rel="me noopener">ORCID</a>' in main
        assert card_titles(main) == ["Newer", "Older"]
        assert "2 articles." in main

    def test_a_job_title_the_credentials_already_name_is_said_once(self, client, neurologist):
        neurologist.credentials = "MD, FRCP, consultant neurologist"
        neurologist.save()
        main = main_of(html_of(client, "/authors/ana-ruiz/"))
        assert '<p class="author-card__credentials">MD, FRCP, consultant neurologist</p>' in main

    def test_photo_through_renditions_with_its_alt_text(self, client, neurologist):
        neurologist.photo = image_file("ana.jpg", size=(900, 900))
        neurologist.photo_alt = "Ana Ruiz smiling"
        neurologist.save()
        assert neurologist.photo_renditions["source"] == neurologist.photo.name
        main = main_of(html_of(client, neurologist.get_absolute_url()))
        assert 'alt="Ana Ruiz smiling"' in main
        assert 'type="image/webp"' in main and "-400.webp 400w" in main

    def test_a_photo_without_alt_text_is_not_shown(self, client, neurologist):
        neurologist.photo = image_file("ana.jpg", size=(300, 300))
        neurologist.save()
        assert "<picture" not in main_of(html_of(client, neurologist.get_absolute_url()))

    def test_without_a_portrait_their_initial_stands_in(self, client, neurologist):
        main = main_of(html_of(client, neurologist.get_absolute_url()))
        assert (
            '<span class="author-card__photo tile" aria-hidden="true">'
            '<span class="tile__initial">A</span></span>'
        ) in main

    def test_an_author_with_nothing_published_yet(self, client, writer):
        html = main_of(html_of(client, writer.get_absolute_url()))
        assert "No published articles yet." in html
        assert "0 articles" not in html  # said once

    @pytest.mark.parametrize("path", ["/authors/nobody/", "/authors/ana-ruiz/?page=2"])
    def test_unknown_author_or_page_is_404(self, client, neurologist, path):
        byline(ArticleFactory(), neurologist)
        assert client.get(path).status_code == 404

    def test_paginated_with_the_sites_pagination(self, client, neurologist, settings):
        settings.ARTICLES_PER_PAGE = 2
        for n in range(5):
            byline(ArticleFactory(title=f"Piece {n}", published_at=days_ago(n + 1)), neurologist)
        first = main_of(html_of(client, "/authors/ana-ruiz/"))
        last = main_of(html_of(client, "/authors/ana-ruiz/?page=3"))
        assert card_titles(first) == ["Piece 0", "Piece 1"]
        assert 'class="pagination"' in first and 'href="?page=2"' in first
        assert card_titles(last) == ["Piece 4"]
        assert "Page 3 of 3" in last
        assert client.get("/authors/ana-ruiz/?page=4").status_code == 404

    @pytest.mark.parametrize("count", [1, 50])
    @pytest.mark.parametrize(
        ("writes", "reviews", "queries"),
        [
            # a new content version (its next due moment), the profile, its links, the
            # count, the page, its tags, the articles they reviewed with their count
            (True, False, 7),
            (True, True, 7),
            (False, True, 5),  # wrote nothing: no page of their own articles, nor its tags
        ],
    )
    def test_query_count_is_the_same_for_one_article_or_fifty(
        self,
        client,
        neurologist,
        settings,
        django_assert_num_queries,
        count,
        writes,
        reviews,
        queries,
    ):
        for n in range(count):
            if writes:
                article = ArticleFactory(published_at=days_ago(n + 1), tags=["calm", "sleep"])
                byline(article, neurologist)
            if reviews:
                review(health_article(published_at=days_ago(n + 1)), neurologist, date(2026, 3, 1))
        content_changed()
        client.get("/")  # the process's own caches (content types) warm
        cache.clear()
        with django_assert_num_queries(queries):
            html = html_of(client, "/authors/ana-ruiz/")
        assert len(card_titles(html)) == (min(count, settings.ARTICLES_PER_PAGE) if writes else 0)
        assert len(reviews_listed(html)) == (min(count, selectors.REVIEWS_SHOWN) if reviews else 0)
        with django_assert_num_queries(0):  # kept whole, like topic pages
            assert client.get("/authors/ana-ruiz/").status_code == 200

    def test_etag_answers_304(self, client, neurologist):
        first = client.get(neurologist.get_absolute_url())
        again = client.get(neurologist.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304


class TestReviewsOnAuthorPage:
    """The review line of every health article links to its reviewer's page, which says what
    they reviewed."""

    def test_a_reviewer_who_wrote_nothing_lists_the_articles_they_reviewed(
        self, client, neurologist
    ):
        review(health_article(title="Why faces twitch"), neurologist, date(2026, 3, 2))
        review(health_article(title="Eyelid twitching"), neurologist, date(2026, 4, 5))
        review(health_article(title="Jaw tension"), ReviewerFactory(), date(2026, 4, 6))
        main = main_of(html_of(client, "/authors/ana-ruiz/"))
        assert '<h2 id="author_reviews">Medically reviewed by Dr Ana Ruiz</h2>' in main
        assert "2 published articles name Dr Ana Ruiz as medical reviewer." in main
        assert reviews_listed(main) == [  # newest review first
            ("Eyelid twitching", "Reviewed on 5 April 2026"),
            ("Why faces twitch", "Reviewed on 2 March 2026"),
        ]
        assert "No published articles yet." not in main
        assert "Articles by Dr Ana Ruiz" not in main

    def test_own_articles_first_then_the_reviews(self, client, neurologist):
        byline(ArticleFactory(title="Written by Ana"), neurologist)
        review(health_article(title="Checked by Ana"), neurologist, date(2026, 3, 2))
        main = main_of(html_of(client, "/authors/ana-ruiz/"))
        assert card_titles(main) == ["Written by Ana"]
        assert main.index("Articles by Dr Ana Ruiz") < main.index("Medically reviewed by")
        assert "1 published article names Dr Ana Ruiz as medical reviewer." in main
        assert reviews_listed(main) == [("Checked by Ana", "Reviewed on 2 March 2026")]

    def test_only_published_articles_and_a_changed_text_is_an_earlier_version(
        self, client, neurologist
    ):
        review(health_article(title="Coming soon", scheduled=True), neurologist, date(2026, 3, 2))
        review(health_article(title="A draft", draft=True), neurologist, date(2026, 3, 2))
        changed = review(health_article(title="Since rewritten"), neurologist, date(2026, 3, 2))
        section = changed.sections.get()
        section.body = "<p>A new dose: 50 mg.</p>"
        section.save()
        services.article_refresh_derived(article_id=changed.pk)
        main = main_of(html_of(client, "/authors/ana-ruiz/"))
        assert reviews_listed(main) == [
            ("Since rewritten", "An earlier version reviewed on 2 March 2026")
        ]
        # as the article's own page says it
        page = main_of(html_of(client, changed.get_absolute_url()))
        assert "An earlier version was medically reviewed by" in page

    def test_the_newest_reviews_with_the_count_of_all(self, client, neurologist, monkeypatch):
        monkeypatch.setattr(selectors, "REVIEWS_SHOWN", 2)
        for day in (1, 2, 3):
            review(health_article(title=f"March {day}"), neurologist, date(2026, 3, day))
        main = main_of(html_of(client, "/authors/ana-ruiz/"))
        assert "3 published articles name Dr Ana Ruiz as medical reviewer: the 2 latest" in main
        assert [title for title, _ in reviews_listed(main)] == ["March 3", "March 2"]

    def test_only_the_first_page_of_own_articles_carries_the_reviews(
        self, client, neurologist, settings
    ):
        settings.ARTICLES_PER_PAGE = 1
        for n in range(2):
            byline(ArticleFactory(published_at=days_ago(n + 1)), neurologist)
        review(health_article(title="Checked by Ana"), neurologist, date(2026, 3, 2))
        assert reviews_listed(html_of(client, "/authors/ana-ruiz/")) != []
        assert reviews_listed(html_of(client, "/authors/ana-ruiz/?page=2")) == []

    def test_a_review_recorded_changed_or_unpublished_shows_at_once(
        self, client, neurologist, commit_callbacks
    ):
        article = health_article(title="Why faces twitch")
        page = "/authors/ana-ruiz/"
        assert reviews_listed(html_of(client, page)) == []  # kept in the cache from now on
        commit_callbacks(review, article, neurologist, date(2026, 3, 2))
        assert reviews_listed(html_of(client, page)) == [
            ("Why faces twitch", "Reviewed on 2 March 2026")
        ]
        section = article.sections.get()
        section.body = "<p>A new dose: 50 mg.</p>"
        commit_callbacks(section.save)
        assert reviews_listed(html_of(client, page)) == [
            ("Why faces twitch", "An earlier version reviewed on 2 March 2026")
        ]
        commit_callbacks(review, article, neurologist, date(2026, 4, 5))  # checked again
        assert reviews_listed(html_of(client, page)) == [
            ("Why faces twitch", "Reviewed on 5 April 2026")
        ]
        article.status = Article.Status.DRAFT
        commit_callbacks(article.save)
        assert reviews_listed(html_of(client, page)) == []

    def test_naming_another_reviewer_moves_the_review_at_once(
        self, client, neurologist, commit_callbacks
    ):
        other = ReviewerFactory(name="Dr Jo Park", slug="jo-park")
        article = health_article(title="Why faces twitch")
        commit_callbacks(review, article, neurologist, date(2026, 3, 2))
        assert len(reviews_listed(html_of(client, "/authors/ana-ruiz/"))) == 1
        commit_callbacks(review, article, other, date(2026, 3, 2))
        assert reviews_listed(html_of(client, "/authors/ana-ruiz/")) == []
        assert len(reviews_listed(html_of(client, "/authors/jo-park/"))) == 1

    def test_the_person_structured_data_stays_whole(self, client, neurologist):
        review(health_article(), neurologist, date(2026, 3, 2))
        blocks = json_ld(html_of(client, "/authors/ana-ruiz/"))
        assert len(blocks) == 1
        assert blocks[0]["@type"] == "ProfilePage"
        assert blocks[0]["mainEntity"]["name"] == "Dr Ana Ruiz"
        assert blocks[0]["mainEntity"]["hasCredential"]["name"] == "MD, neurologist"


def people_listed(html: str, section: str) -> list[tuple[str, str, str]]:
    """The index's people in one section: (name, link, what their count line says)."""
    part = html[html.index(f'<h2 id="{section}">') :]
    part = part[: part.index("</section>")]
    found = re.findall(
        r'<h3 class="people__name"><a href="([^"]+)">([^<]+)</a></h3>.*?'
        r'<p class="people__count">([^<]*)</p>',
        part,
        re.S,
    )
    return [(name, url, count) for url, name, count in found]


class TestAuthorIndex:
    """/authors/: everyone behind the published articles, the medical reviewers first."""

    def test_reviewers_then_writers_by_name_with_what_each_published(
        self, client, neurologist, writer
    ):
        byline(ArticleFactory(), writer)
        byline(ArticleFactory(), writer, neurologist)
        review(health_article(), neurologist, date(2026, 3, 2))
        review(health_article(), neurologist, date(2026, 3, 3))
        byline(ArticleFactory(), AuthorProfileFactory(name="Al Writer", slug="al"))
        html = html_of(client, "/authors/")
        assert people_listed(html, "reviewers") == [
            ("Dr Ana Ruiz", "/authors/ana-ruiz/", "1 article · 2 medical reviews"),
        ]
        # A reviewer is listed once, under reviewers, with what they wrote as well.
        assert people_listed(html, "writers") == [
            ("Al Writer", "/authors/al/", "1 article"),
            ("Sam Lee", "/authors/sam-lee/", "2 articles"),
        ]
        assert '<p class="people__credentials">MD, neurologist · Consultant neurologist</p>' in html
        assert "<title>Writers and medical reviewers · Happy Inner Self</title>" in html

    def test_only_what_is_published_counts(self, client, neurologist, writer):
        byline(ArticleFactory(draft=True), writer)
        byline(ArticleFactory(published_at=days_ago(-3)), writer)  # scheduled
        review(health_article(draft=True), neurologist, date(2026, 3, 2))
        byline(ArticleFactory(), AuthorProfileFactory(name="Al Writer", slug="al"))
        main = main_of(html_of(client, "/authors/"))
        assert 'id="reviewers"' not in main
        assert people_listed(main, "writers") == [("Al Writer", "/authors/al/", "1 article")]
        for absent in ("Sam Lee", "Dr Ana Ruiz"):
            assert absent not in main

    def test_before_anything_is_published(self, client, writer):
        byline(ArticleFactory(draft=True), writer)
        main = main_of(html_of(client, "/authors/"))
        assert "No articles are published yet." in main and "Sam Lee" not in main

    def test_a_new_writers_first_article_shows_at_once(self, client, writer, commit_callbacks):
        assert "Sam Lee" not in html_of(client, "/authors/")
        article = ArticleFactory(draft=True)
        commit_callbacks(byline, article, writer)
        commit_callbacks(services.article_publish, article=article)
        assert people_listed(html_of(client, "/authors/"), "writers") == [
            ("Sam Lee", "/authors/sam-lee/", "1 article")
        ]

    def test_query_count_is_the_same_for_two_people_or_twenty(
        self, client, django_assert_num_queries
    ):
        for n in (2, 20):
            for _ in range(n):
                byline(ArticleFactory(), AuthorProfileFactory())
                review(health_article(), ReviewerFactory(), date(2026, 3, 2))
            content_changed()
            client.get("/")  # the process's own caches (content types) warm
            cache.clear()
            with django_assert_num_queries(2):  # the version, the people with their counts
                assert client.get("/authors/").status_code == 200
            with django_assert_num_queries(0):  # kept whole, like the topics index
                assert client.get("/authors/").status_code == 200

    def test_every_author_page_and_footer_lead_to_it(self, client, neurologist):
        byline(ArticleFactory(), neurologist)
        html = html_of(client, "/authors/ana-ruiz/")
        crumbs = html[
            html.index('class="breadcrumb"') : html.index("</nav>", html.index("breadcrumb"))
        ]
        assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumbs) == [
            ("/", "Home"),
            ("/authors/", "Writers and reviewers"),
        ]
        footer = html[html.index("<footer") :]
        assert '<a href="/authors/">Writers and reviewers</a>' in footer


class TestSitemap:
    def test_authors_with_published_articles_each_with_their_newest_change(
        self, client, neurologist, writer
    ):
        article = ArticleFactory(published_at=days_ago(2))
        byline(article, neurologist)
        byline(ArticleFactory(draft=True), writer)  # nothing published: not listed
        root = ET.fromstring(client.get("/sitemap-authors.xml").content)
        urls = {
            url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
            for url in root.findall(f"{SITEMAP}url")
        }
        assert list(urls) == [f"{BASE}/authors/ana-ruiz/"]
        neurologist.refresh_from_db()
        article.refresh_from_db()
        newest = max(neurologist.updated_at, article.updated_at)
        assert urls[f"{BASE}/authors/ana-ruiz/"] == newest.date().isoformat()
        index = client.get("/sitemap.xml").content.decode()
        assert f"{BASE}/sitemap-authors.xml" in index

    def test_a_reviewer_who_wrote_nothing_is_listed_with_their_reviews_newest_change(
        self, client, neurologist, writer
    ):
        review(health_article(), neurologist, date(2026, 3, 2))
        review(health_article(draft=True), writer, date(2026, 3, 2))  # nothing public
        root = ET.fromstring(client.get("/sitemap-authors.xml").content)
        urls = {
            url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
            for url in root.findall(f"{SITEMAP}url")
        }
        assert list(urls) == [f"{BASE}/authors/ana-ruiz/"]
        newest = max(neurologist.updated_at, Article.objects.get(reviewer=neurologist).updated_at)
        assert urls[f"{BASE}/authors/ana-ruiz/"] == newest.date().isoformat()

    def test_sitemap_page_query_count_does_not_grow(
        self, client, django_assert_num_queries, neurologist
    ):
        for n in (2, 8):
            for _ in range(n):
                byline(ArticleFactory(), AuthorProfileFactory())
                review(health_article(), ReviewerFactory(), date(2026, 3, 2))
            cache.clear()
            with django_assert_num_queries(3):  # version, count, the page's rows
                client.get("/sitemap-authors.xml")
