"""Feeds and the sitemap, read as a feed reader and a crawler would: parsed, not grepped."""

import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import feedparser
import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def days_ago(n: float):
    return timezone.now() - timezone.timedelta(days=n)


@pytest.fixture
def articles():
    author = UserFactory(first_name="Ada", last_name="Calm")
    newer = ArticleFactory(
        title="Sleep & rest", author=author, tags=["sleep", "rest"], published_at=days_ago(1)
    )
    SectionFactory(
        article=newer, position=1, heading="Why <rest>", body="<p>Rest <em>well</em>.</p>"
    )
    SectionFactory(
        article=newer, position=2, heading="How", level=3, body="<ul><li>Early</li></ul>"
    )
    older = ArticleFactory(title="Breathing", tags=["breath"], published_at=days_ago(5))
    ArticleFactory(title="Secret draft", tags=["sleep"], draft=True)
    ArticleFactory(title="Coming soon", tags=["sleep"], scheduled=True)
    return newer, older


def get(client, url: str, content_type: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    return response.content


class TestRss:
    def test_valid_rss_with_only_published_articles_newest_first(self, client, articles):
        newer, older = articles
        body = get(client, "/feed/", "application/rss+xml; charset=utf-8")
        channel = ET.fromstring(body).find("channel")
        assert channel.findtext("title") == "Happy Inner Self"
        assert channel.findtext("link") == "http://testserver/"
        assert channel.findtext("description")
        items = channel.findall("item")
        assert [i.findtext("title") for i in items] == ["Sleep & rest", "Breathing"]
        first = items[0]
        assert first.findtext("link") == f"http://testserver{newer.get_absolute_url()}"
        assert first.findtext("guid") == first.findtext("link")
        assert parsedate_to_datetime(first.findtext("pubDate")) == newer.published_at.replace(
            microsecond=0
        )
        assert sorted(c.text for c in first.findall("category")) == ["rest", "sleep"]

    def test_items_carry_the_full_sanitised_content(self, client, articles):
        body = get(client, "/feed/", "application/rss+xml; charset=utf-8")
        item = ET.fromstring(body).find("channel/item")
        content = item.findtext(CONTENT)
        assert "<h2>Why &lt;rest&gt;</h2>" in content
        assert "<p>Rest <em>well</em>.</p>" in content
        assert "<h3>How</h3>" in content and "<li>Early</li>" in content
        assert item.findtext("description") == "A short and gentle summary of the article."

    def test_feed_readers_accept_it(self, client, articles):
        parsed = feedparser.parse(get(client, "/feed/", "application/rss+xml; charset=utf-8"))
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == "rss20"
        entry = parsed.entries[0]
        assert entry.title == "Sleep & rest"
        assert "Rest <em>well</em>." in entry.content[0].value
        assert entry.author == "Ada Calm"

    def test_per_tag(self, client, articles):
        body = get(client, "/tags/sleep/feed/", "application/rss+xml; charset=utf-8")
        channel = ET.fromstring(body).find("channel")
        assert channel.findtext("title") == "Happy Inner Self: sleep"
        assert channel.findtext("link") == "http://testserver/tags/sleep/"
        assert [i.findtext("title") for i in channel.findall("item")] == ["Sleep & rest"]

    def test_unknown_tag_or_tag_without_published_articles_is_404(self, client, articles):
        ArticleFactory(tags=["hidden"], draft=True)
        assert client.get("/tags/hidden/feed/").status_code == 404
        assert client.get("/tags/nope/feed/atom/").status_code == 404


class TestAtom:
    def test_valid_atom_with_html_content(self, client, articles):
        newer, _ = articles
        body = get(client, "/feed/atom/", "application/atom+xml; charset=utf-8")
        feed = ET.fromstring(body)
        assert feed.tag == f"{ATOM}feed"
        assert feed.findtext(f"{ATOM}title") == "Happy Inner Self"
        assert feed.findtext(f"{ATOM}id") and parse_datetime(feed.findtext(f"{ATOM}updated"))
        self_link = feed.find(f"{ATOM}link[@rel='self']")
        assert self_link.get("href") == "http://testserver/feed/atom/"
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["Sleep & rest", "Breathing"]
        entry = entries[0]
        for required in ("id", "title", "updated", "published"):
            assert entry.findtext(f"{ATOM}{required}"), required
        assert entry.find(f"{ATOM}link").get("href").endswith(newer.get_absolute_url())
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        assert "<p>Rest <em>well</em>.</p>" in content.text
        assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Ada Calm"

    def test_feed_readers_accept_it_per_tag(self, client, articles):
        parsed = feedparser.parse(
            get(client, "/tags/breath/feed/atom/", "application/atom+xml; charset=utf-8")
        )
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == "atom10"
        assert [e.title for e in parsed.entries] == ["Breathing"]


def test_a_feed_is_cached_and_revalidates(client, articles, django_assert_num_queries):
    first = client.get("/feed/")
    with django_assert_num_queries(0):
        again = client.get("/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    with django_assert_num_queries(0):
        assert client.get("/feed/").content == first.content


@pytest.mark.parametrize(
    ("url", "cold"),
    [("/feed/", 4), ("/feed/atom/", 4), ("/tags/sleep/feed/", 5)],
)
def test_feed_query_counts_do_not_grow(client, django_assert_num_queries, url, cold):
    from django.core.cache import cache

    # version, articles, their sections, their tags (+ the tag for a tag's feed)
    for n in (2, 9):
        for _ in range(n):
            article = ArticleFactory(tags=["sleep", "calm"])
            SectionFactory(article=article, position=1)
            SectionFactory(article=article, position=2)
        cache.clear()
        with django_assert_num_queries(cold):
            client.get(url)


class TestSitemap:
    def test_valid_xml_with_only_published_urls_and_lastmod(self, client, articles):
        newer, older = articles
        response = client.get("/sitemap.xml")
        assert response["Content-Type"] == "application/xml"
        assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"  # the sitemap itself
        root = ET.fromstring(response.content)
        assert root.tag == f"{SITEMAP}urlset"
        entries = {
            url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
            for url in root.findall(f"{SITEMAP}url")
        }
        base = "http://testserver"
        assert set(entries) == {
            f"{base}/",
            f"{base}/tags/",
            f"{base}{newer.get_absolute_url()}",
            f"{base}{older.get_absolute_url()}",
            f"{base}/tags/sleep/",
            f"{base}/tags/rest/",
            f"{base}/tags/breath/",
        }
        assert all(entries.values()), "every URL has a lastmod"
        assert entries[f"{base}{older.get_absolute_url()}"] == older.updated_at.date().isoformat()

    def test_tags_used_only_by_unpublished_articles_are_left_out(self, client):
        ArticleFactory(tags=["secret"], draft=True)
        assert b"/tags/secret/" not in client.get("/sitemap.xml").content

    def test_query_count_does_not_grow(self, client, django_assert_num_queries):
        from django.core.cache import cache

        for n in (2, 8):
            for _ in range(n):
                ArticleFactory(tags=["sleep", "calm"])
            cache.clear()
            # version, articles, tags, the newest change (for the home and topics pages)
            with django_assert_num_queries(4):
                first = client.get("/sitemap.xml")
            with django_assert_num_queries(0):
                assert client.get("/sitemap.xml").content == first.content
