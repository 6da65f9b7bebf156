"""The sitemaps, read as a crawler would: the index, then each section page by page."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.sitemaps import ArticleSitemap
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://testserver"


def days_ago(n: float):
    return timezone.now() - timezone.timedelta(days=n)


def index_of(client) -> dict[str, str]:
    """{sitemap address: lastmod} from the index."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    return {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in root.findall(f"{SITEMAP}sitemap")
    }


def urls_of(client, path: str) -> dict[str, str]:
    """{page address: lastmod} from one sitemap page."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }


@pytest.fixture
def articles():
    newer = ArticleFactory(title="Sleep & rest", tags=["sleep", "rest"], published_at=days_ago(1))
    older = ArticleFactory(title="Breathing", tags=["breath"], published_at=days_ago(5))
    ArticleFactory(title="Secret draft", tags=["sleep", "secret"], draft=True)
    ArticleFactory(title="Coming soon", tags=["sleep", "soon"], scheduled=True)
    return newer, older


@pytest.fixture
def small_pages(monkeypatch):
    """Two articles a sitemap page, so that a few articles make several pages."""
    monkeypatch.setattr(ArticleSitemap, "limit", 2)


class TestIndex:
    def test_robots_txt_names_the_index(self, client, articles):
        robots = client.get("/robots.txt").content.decode()
        assert f"Sitemap: {BASE}/sitemap.xml" in robots
        assert index_of(client)

    def test_lists_each_section_with_its_newest_change(self, client, articles):
        newer, older = articles
        response = client.get("/sitemap.xml")
        assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"  # the index itself
        newest = max(newer.updated_at, older.updated_at).replace(microsecond=0).isoformat()
        assert index_of(client) == {
            f"{BASE}/sitemap-pages.xml": newest,
            # An article's lastmod is its readers' "Updated", here its publication.
            f"{BASE}/sitemap-articles.xml": newer.published_at.replace(microsecond=0).isoformat(),
            f"{BASE}/sitemap-tags.xml": newest,
            # No article has an author profile here: a section without a newest change.
            f"{BASE}/sitemap-authors.xml": None,
        }

    def test_lists_every_page_of_a_long_section(self, client, articles, small_pages):
        for _ in range(3):
            ArticleFactory()
        sections = set(index_of(client))
        assert sections == {
            f"{BASE}/sitemap-pages.xml",
            f"{BASE}/sitemap-articles.xml",
            f"{BASE}/sitemap-articles.xml?p=2",
            f"{BASE}/sitemap-articles.xml?p=3",
            f"{BASE}/sitemap-tags.xml",
            f"{BASE}/sitemap-authors.xml",
        }


class TestSections:
    def test_only_published_addresses_each_with_a_lastmod(self, client, articles):
        newer, older = articles
        pages = urls_of(client, "/sitemap-pages.xml")
        assert set(pages) == {f"{BASE}/", f"{BASE}/tags/", f"{BASE}/authors/", f"{BASE}/follow/"}
        found = urls_of(client, "/sitemap-articles.xml")
        assert list(found) == [
            f"{BASE}{newer.get_absolute_url()}",
            f"{BASE}{older.get_absolute_url()}",
        ]
        assert found[f"{BASE}{older.get_absolute_url()}"] == older.published_at.date().isoformat()
        tags = urls_of(client, "/sitemap-tags.xml")
        assert set(tags) == {f"{BASE}/tags/{slug}/" for slug in ("breath", "rest", "sleep")}
        assert all({**pages, **found, **tags}.values()), "every address has a lastmod"

    def test_pages_split_the_section_without_gaps_or_repeats(self, client, small_pages):
        made = [ArticleFactory(published_at=days_ago(n)) for n in range(1, 6)]
        pages = [list(urls_of(client, f"/sitemap-articles.xml?p={p}")) for p in (1, 2, 3)]
        assert [len(page) for page in pages] == [2, 2, 1]
        assert sum(pages, []) == [f"{BASE}{a.get_absolute_url()}" for a in made]
        # Page 1 has one address, with or without ?p=1.
        assert list(urls_of(client, "/sitemap-articles.xml")) == pages[0]

    def test_a_page_is_the_same_whether_kept_or_not(self, client, small_pages):
        for n in range(1, 6):
            ArticleFactory(published_at=days_ago(n))
        cold = client.get("/sitemap-articles.xml?p=2").content
        cache.clear()
        first = client.get("/sitemap-articles.xml").content  # page 1 is now kept
        warm = client.get("/sitemap-articles.xml?p=2").content
        assert warm == cold != first
        cache.clear()
        client.get("/sitemap-articles.xml?p=2")
        assert client.get("/sitemap-articles.xml").content == first

    @pytest.mark.parametrize(
        "path",
        [
            "/sitemap-articles.xml?p=4",
            "/sitemap-articles.xml?p=0",
            "/sitemap-articles.xml?p=-1",
            "/sitemap-articles.xml?p=two",
            "/sitemap-nothing.xml",
        ],
    )
    def test_beyond_the_last_page_or_an_unknown_section_is_404(self, client, small_pages, path):
        for n in range(1, 6):
            ArticleFactory(published_at=days_ago(n))
        assert client.get(path).status_code == 404
        assert client.get(path).status_code == 404  # and again, once the others are kept


@pytest.mark.parametrize(
    ("path", "cold"),
    [
        # version, then per section: newest change and count (pages: one newest change)
        ("/sitemap.xml", 8),
        # version, newest change
        ("/sitemap-pages.xml", 2),
        # version, count, the page's rows
        ("/sitemap-articles.xml", 3),
        ("/sitemap-tags.xml", 3),
    ],
)
def test_query_counts_do_not_grow(client, django_assert_num_queries, path, cold):
    for n in (2, 8):
        for _ in range(n):
            ArticleFactory(tags=["sleep", "calm"])
        cache.clear()
        with django_assert_num_queries(cold):
            first = client.get(path)
        with django_assert_num_queries(0):
            assert client.get(path).content == first.content


def test_an_articles_lastmod_moves_with_what_readers_are_told_not_with_every_save(client):
    """A crawler is sent back to a page for a significant change: the "Updated" the page
    and its JSON-LD show. A typo fixed, a tag added or an import's own save is none."""
    article = ArticleFactory(tags=["sleep"], published_at=days_ago(30))
    address = f"{BASE}{article.get_absolute_url()}"
    published = article.published_at.date().isoformat()
    article.tags.add("rest")
    article.save()  # updated_at is now: a save that told readers of no update
    cache.clear()
    assert urls_of(client, "/sitemap-articles.xml")[address] == published
    assert index_of(client)[f"{BASE}/sitemap-articles.xml"].startswith(published)

    article.substantive_change_at = days_ago(2)
    article.save()
    cache.clear()
    updated = article.substantive_change_at.date().isoformat()
    assert urls_of(client, "/sitemap-articles.xml")[address] == updated
    assert index_of(client)[f"{BASE}/sitemap-articles.xml"].startswith(updated)
