"""Every kind of public page is valid HTML for the Nu HTML checker, the W3C's own: the
pages a reader, a crawler or a validator can reach, errors included."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from html import escape

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from articles.models import Article
from popularity.digest import digest_messages, last_week_start, week_digest
from popularity.models import SharedStatsLink
from popularity.sharing import shared_link_path
from tests.factories import DailyViewFactory
from tests.support.nu import nu_errors

pytestmark = pytest.mark.django_db

ARTICLE = "/articles/face-twitching-mystery/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(settings, commit_callbacks):
    """The demo articles (real covers and sections) with some readership."""
    settings.SEARCH_RATE_LIMIT = "3/60"
    settings.ARTICLES_PER_PAGE = 5  # the home page has a page 2
    commit_callbacks(call_command, "load_demo", verbosity=0)
    today = timezone.localdate()
    for rank, article in enumerate(Article.objects.order_by("pk")[:5]):
        for back in range(3):
            DailyViewFactory(article=article, day=today - timedelta(days=back), views=50 - rank)
    # An edit today: the page shows "Updated" with today's time, microseconds and all.
    Article.objects.get(slug="face-twitching-mystery").save()


def failing(error: Exception):
    def fail(*args, **kwargs):
        raise error

    return fail


def pages(client, monkeypatch) -> dict[str, str]:
    """Every public page type, as the site serves it, by name."""
    wanted = {
        "home": ("/", 200),
        "home-page-2": ("/?page=2", 200),
        "article": (ARTICLE, 200),
        "authors": ("/authors/", 200),
        "author": ("/authors/elena-marsh/", 200),
        # A medical reviewer who wrote nothing: the articles they reviewed.
        "author-reviewer": ("/authors/amira-haddad/", 200),
        # Health content with its medical reviewer in the byline and a MedicalWebPage.
        "article-reviewed": ("/articles/when-your-eyelid-wont-stop-twitching/", 200),
        "topics": ("/tags/", 200),
        "topic": ("/tags/stress/", 200),
        "search-empty": ("/search/", 200),
        "search-results": ("/search/?q=sleep", 200),
        "search-nothing-found": ("/search/?q=xylophone", 200),
        "not-found": ("/articles/no-such-article/", 404),
        **{f"popular-{w}": (f"/popular/{w}/", 200) for w in ("24h", "7d", "30d")},
        "popular": ("/popular/", 200),
        "popular-all": ("/popular/all/", 200),
        "follow": ("/follow/", 200),
    }
    found = {}
    for name, (path, status) in wanted.items():
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        found[name] = response.content.decode()
    # A shared read-only statistics link, and the weekly digest e-mail's HTML part.
    link = SharedStatsLink.objects.create(
        label="For the author", scope="article", article=Article.objects.get(slug=ARTICLE[10:-1])
    )
    found["shared-statistics"] = client.get(shared_link_path(link=link)).content.decode()
    (mail,) = digest_messages(digest=week_digest(week_start=last_week_start()), to=["a@b.example"])
    found["digest-email"] = mail.alternatives[0][0]
    # Over the search limit: the 429 page.
    for _ in range(5):
        response = client.get("/search/?q=calm")
    assert response.status_code == 429
    found["too-many-requests"] = response.content.decode()
    # What a feed reader shows: each entry's HTML as the feed carries it, in a document.
    feed = ET.fromstring(client.get("/feed/atom/").content)
    for number, entry in enumerate(feed.findall(f"{ATOM}entry")[:3]):
        found[f"feed-entry-{number}"] = (
            '<!DOCTYPE html><html lang="en"><head>'
            f"<title>{escape(entry.findtext(f'{ATOM}title'))}</title></head>"
            f"<body><article>{entry.findtext(f'{ATOM}content')}</article></body></html>"
        )
    # The topics page failing inside its view: the database gone (503), or a bug (500).
    client.raise_request_exception = False
    for name, error, status in (
        ("service-unavailable", OperationalError("the database is away"), 503),
        ("server-error", RuntimeError("a bug"), 500),
    ):
        monkeypatch.setattr("articles.selectors.tag_counts_public", failing(error))
        cache.clear()  # the topics page fetched above is kept whole: ask for it afresh
        response = client.get("/tags/")
        assert response.status_code == status, name
        found[name] = response.content.decode()
    return found


def test_every_public_page_type_has_no_nu_errors(client, site, monkeypatch):
    documents = pages(client, monkeypatch)
    errors = {name: found for name, found in nu_errors(documents).items() if found}
    assert errors == {}, "\n".join(
        f"{name}:\n  " + "\n  ".join(found) for name, found in errors.items()
    )


def test_the_checker_does_find_errors():
    """The check itself can fail: a microsecond datetime, the original fault, is an error."""
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        '<time datetime="2025-05-01T09:00:00.123456+00:00">1 May</time></body></html>'
    )
    errors = nu_errors({"bad": page})["bad"]
    assert len(errors) == 1 and "datetime" in errors[0], errors
