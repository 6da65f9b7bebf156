"""The feeds, read as a feed reader and a validator would: parsed, not grepped."""

import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import feedparser
import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.services import article_slug_redirect_create
from tests.factories import ArticleFactory, SectionFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


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
    older = ArticleFactory(
        title="Breathing", tags=["breath"], published_at=days_ago(5), author=None
    )
    ArticleFactory(title="Secret draft", tags=["sleep"], draft=True)
    ArticleFactory(title="Coming soon", tags=["sleep"], scheduled=True)
    return newer, older


def rename(article, new_slug: str) -> None:
    old, article.slug = article.slug, new_slug
    article.save()
    article_slug_redirect_create(article=article, old_slug=old)


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
        assert first.find("guid").get("isPermaLink") == "false"
        assert (
            first.findtext("guid")
            == f"tag:testserver,{newer.created_at:%Y-%m-%d}:article/{newer.pk}"
        )
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
    [("/feed/", 5), ("/feed/atom/", 5), ("/tags/sleep/feed/", 6)],
)
def test_feed_query_counts_do_not_grow(client, django_assert_num_queries, url, cold):
    from django.core.cache import cache

    # version, articles, their sections, tags and sources (+ the tag for a tag's feed)
    for n in (2, 9):
        for _ in range(n):
            article = ArticleFactory(tags=["sleep", "calm"])
            SectionFactory(article=article, position=1)
            SectionFactory(article=article, position=2)
        cache.clear()
        with django_assert_num_queries(cold):
            client.get(url)


def test_a_health_article_carries_its_sources_and_the_disclaimer(client, django_assert_num_queries):
    from articles.models import TrustSettings

    row = TrustSettings.load()
    row.disclaimer = "This is general information, not a diagnosis."
    row.save()
    health = [ArticleFactory(title=f"Health {n}", health_content=True) for n in range(3)]
    SourceFactory(article=health[0], title="Eyelid myokymia in adults", doi="10.1000/eye")
    ArticleFactory(title="Calm")
    cache.clear()
    with django_assert_num_queries(6):  # the feed's five and the owners' text once
        entries = {e.title: e for e in feedparser.parse(client.get("/feed/atom/").content).entries}
    first = entries["Health 0"].content[0].value
    assert "<cite>Eyelid myokymia in adults</cite>" in first
    assert 'href="https://doi.org/10.1000/eye"' in first
    for n in range(3):
        assert "not a diagnosis" in entries[f"Health {n}"].content[0].value
    assert "Sources" not in entries["Calm"].content[0].value
    assert "not a diagnosis" not in entries["Calm"].content[0].value


RFC_3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
# RFC 822 as RSS 2.0 uses it (four-digit years): "Fri, 20 Nov 2026 08:00:00 +0000".
RFC_822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}"
)
TAG_URI = re.compile(r"tag:testserver,\d{4}-\d\d-\d\d:article/\d+")


class TestWhatValidatorsCheck:
    """What the W3C feed validator checks and feedparser's bozo flag does not: every entry
    has an author, an id that survives a renamed slug, and well-formed dates."""

    def test_every_entry_has_an_author_the_site_when_the_article_has_none(self, client, articles):
        atom = ET.fromstring(get(client, "/feed/atom/", "application/atom+xml; charset=utf-8"))
        authors = [e.findtext(f"{ATOM}author/{ATOM}name") for e in atom.findall(f"{ATOM}entry")]
        assert authors == ["Ada Calm", "Happy Inner Self"]  # "Breathing" has no author
        assert atom.findtext(f"{ATOM}author/{ATOM}name") == "Happy Inner Self"
        rss = ET.fromstring(get(client, "/feed/", "application/rss+xml; charset=utf-8"))
        creators = [i.findtext(DC_CREATOR) for i in rss.findall("channel/item")]
        assert creators == ["Ada Calm", "Happy Inner Self"]

    def test_a_login_name_is_never_published(self, client, articles):
        # An account with no full name and no author profile: the site stands for it.
        quiet = ArticleFactory(
            title="Quiet", author=UserFactory(username="ed-login"), published_at=days_ago(2)
        )
        for url in ("/feed/", "/feed/atom/", quiet.get_absolute_url()):
            body = client.get(url).content.decode()
            assert "Quiet" in body and "ed-login" not in body, url

    def test_an_entry_is_updated_when_readers_are_told_not_on_every_save(self, client, articles):
        newer, _ = articles
        type(newer).objects.filter(pk=newer.pk).update(revised_at=timezone.now())  # a typo
        cache.clear()
        entry = feedparser.parse(client.get("/feed/atom/").content).entries[0]
        assert entry.updated_parsed == entry.published_parsed
        type(newer).objects.filter(pk=newer.pk).update(substantive_change_at=timezone.now())
        cache.clear()
        entry = feedparser.parse(client.get("/feed/atom/").content).entries[0]
        assert entry.updated_parsed > entry.published_parsed

    @pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/tags/sleep/feed/atom/"])
    def test_a_renamed_article_keeps_its_id(self, client, articles, commit_callbacks, url):
        newer, _ = articles
        before = feedparser.parse(client.get(url).content).entries[0]
        commit_callbacks(rename, newer, "sleep-and-rest-renamed")
        after = feedparser.parse(client.get(url).content).entries[0]
        assert after.link.endswith("/articles/sleep-and-rest-renamed/")
        assert before.link != after.link
        assert TAG_URI.fullmatch(after.id), after.id
        assert after.id == before.id

    def test_ids_are_unique_and_keep_the_creation_day(self, client, articles):
        parsed = feedparser.parse(client.get("/feed/atom/").content)
        ids = [entry.id for entry in parsed.entries]
        assert len(set(ids)) == len(ids) == 2
        newer, older = articles
        assert ids[1] == f"tag:testserver,{older.created_at:%Y-%m-%d}:article/{older.pk}"

    def test_the_id_domain_is_a_setting_never_the_port(self, client, articles, settings):
        newer, _ = articles
        entry = feedparser.parse(client.get("/feed/", HTTP_HOST="testserver:8443").content)
        assert entry.entries[0].id.startswith("tag:testserver,")
        settings.ARTICLES_FEED_ID_DOMAIN = "happyinnerself.example"
        cache.clear()
        entry = feedparser.parse(client.get("/feed/").content).entries[0]
        assert (
            entry.id == f"tag:happyinnerself.example,{newer.created_at:%Y-%m-%d}:article/{newer.pk}"
        )

    def test_dates_are_rfc_3339_in_atom_and_rfc_822_in_rss(self, client, articles):
        atom = ET.fromstring(client.get("/feed/atom/").content)
        stamps = [atom.findtext(f"{ATOM}updated")]
        for entry in atom.findall(f"{ATOM}entry"):
            stamps += [entry.findtext(f"{ATOM}published"), entry.findtext(f"{ATOM}updated")]
        assert len(stamps) == 5
        for stamp in stamps:
            assert RFC_3339.fullmatch(stamp), stamp
        rss = ET.fromstring(client.get("/feed/").content)
        dates = [rss.findtext("channel/lastBuildDate")]
        dates += [item.findtext("pubDate") for item in rss.findall("channel/item")]
        assert len(dates) == 3
        for date in dates:
            assert RFC_822.fullmatch(date), date
            assert parsedate_to_datetime(date).tzinfo is not None
