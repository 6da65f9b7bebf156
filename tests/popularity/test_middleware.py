"""Which served pages count as a view, and that counting never breaks a page."""

import logging

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.client import client_ip
from popularity.models import DailyView, ReaderDay
from tests.factories import ArticleFactory, UserFactory
from tests.support.db import writes_fail

from .conftest import BROWSER, TWO_BROWSERS_COUNTED, agent_counts

pytestmark = pytest.mark.django_db


def views_of(article) -> int:
    return sum(DailyView.objects.filter(article=article).values_list("views", flat=True))


def readers_of(article) -> int:
    return sum(DailyView.objects.filter(article=article).values_list("unique_readers", flat=True))


def test_a_reader_opening_an_article_is_counted(read):
    article = ArticleFactory()
    response = read(article.get_absolute_url())
    assert response.status_code == 200
    assert (views_of(article), readers_of(article)) == (1, 1)


def test_reloading_ten_times_is_one_view(read):
    article = ArticleFactory()
    for _ in range(10):
        assert read(article.get_absolute_url()).status_code == 200
    assert (views_of(article), readers_of(article)) == (1, 1)


def test_head_requests_are_not_counted(client):
    article = ArticleFactory()
    response = client.head(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert views_of(article) == 0


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_X_PURPOSE": "preview"},
        {"HTTP_X_MOZ": "prefetch"},
    ],
)
def test_prefetch_and_prerender_are_not_counted(read, header):
    article = ArticleFactory()
    assert read(article.get_absolute_url(), **header).status_code == 200
    assert views_of(article) == 0


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "python-requests/2.32.3",
        "curl/8.5.0",
        "",
    ],
)
def test_crawlers_and_agentless_clients_are_not_counted(read, agent):
    article = ArticleFactory()
    assert read(article.get_absolute_url(), agent=agent).status_code == 200
    assert views_of(article) == 0


def test_logged_in_staff_are_not_counted_but_other_members_are(read, client):
    article = ArticleFactory()
    client.force_login(UserFactory(is_staff=True))
    read(article.get_absolute_url())
    assert views_of(article) == 0
    client.force_login(UserFactory(is_staff=False))
    read(article.get_absolute_url(), ip="198.51.100.99")
    assert views_of(article) == 1


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_unpublished_articles_answer_404_and_are_not_counted(read, trait):
    article = ArticleFactory(**{trait: True})
    assert read(article.get_absolute_url()).status_code == 404
    assert DailyView.objects.count() == 0


def test_unknown_slugs_and_other_pages_are_not_counted(read):
    ArticleFactory()
    assert read(reverse("articles:detail", kwargs={"slug": "nope"})).status_code == 404
    assert read(reverse("articles:list")).status_code == 200
    assert read(reverse("popularity:popular")).status_code == 200
    assert DailyView.objects.count() == 0


def test_the_editors_preview_is_never_counted(client):
    from io import StringIO

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("setup_roles", stdout=StringIO())
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    for article in (ArticleFactory(), ArticleFactory(draft=True)):
        preview = reverse("admin:articles_article_preview", args=[article.pk])
        response = client.get(preview, HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 200
        assert b"Preview" in response.content
        assert views_of(article) == 0
    assert DailyView.objects.count() == 0


@pytest.mark.urls("tests.popularity.urls_cached")
def test_pages_answered_from_a_page_cache_are_counted(read, django_assert_num_queries):
    article = ArticleFactory()
    assert read(article.get_absolute_url(), ip="198.51.100.1").status_code == 200
    # The cache answers now; the article id comes from one lookup, cached in turn.
    with django_assert_num_queries(2):  # slug → id, the counting upsert
        assert read(article.get_absolute_url(), ip="198.51.100.2").status_code == 200
    with django_assert_num_queries(1):
        assert read(article.get_absolute_url(), ip="198.51.100.3").status_code == 200
    assert (views_of(article), readers_of(article)) == (3, 3)


def test_counting_costs_one_query_on_a_warm_page(read, django_assert_num_queries):
    article, other = ArticleFactory(), ArticleFactory()
    read(article.get_absolute_url(), ip="198.51.100.1")  # warms the salt and the widget
    # The kept page names the article it shows: no lookup, one counting statement.
    with django_assert_num_queries(1):
        read(article.get_absolute_url(), ip="198.51.100.2")
    read(other.get_absolute_url(), ip="198.51.100.2")
    read(other.get_absolute_url(), ip="198.51.100.3")
    assert (views_of(article), views_of(other)) == (2, 2)


def test_a_failing_counter_never_breaks_the_page(read, caplog):
    article = ArticleFactory()
    with (
        writes_fail(ReaderDay._meta.db_table, "could not write: disk full"),
        caplog.at_level(logging.ERROR, logger="popularity.middleware"),
    ):
        response = read(article.get_absolute_url())
    assert response.status_code == 200
    assert article.title in response.content.decode()
    assert "could not be counted" in caplog.text and "disk full" in caplog.text


# --- The client's address behind proxies -------------------------------------------


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("198.51.100.5", "1.2.3.4")) == "198.51.100.5"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # A client's own X-Forwarded-For entries sit left of what our proxy appended.
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),  # fewer hops than configured: the furthest known
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_trusted_proxies_are_peeled_from_the_right(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


def test_spoofed_forwarded_for_cannot_make_new_readers(read, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    article = ArticleFactory()
    for spoof in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        read(
            article.get_absolute_url(),
            ip="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{spoof}, 203.0.113.9",
        )
    assert (views_of(article), readers_of(article)) == (1, 1)


def test_a_page_rendered_as_a_preview_is_not_counted(read, monkeypatch):
    article = ArticleFactory()
    from articles.views import ArticleDetailView

    original = ArticleDetailView.get_context_data

    def with_preview(self, **kwargs):
        return {**original(self, **kwargs), "preview": True}

    monkeypatch.setattr(ArticleDetailView, "get_context_data", with_preview)
    assert read(article.get_absolute_url()).status_code == 200
    assert views_of(article) == 0


def test_counted_views_are_counted_per_browser_too(read_with_two_browsers):
    article = read_with_two_browsers()
    assert views_of(article) == 3  # the reload is neither a view nor a browser's view
    assert agent_counts(article) == TWO_BROWSERS_COUNTED
