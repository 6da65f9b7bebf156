"""Site searches counted per normalised query and day, what readers open from them, and the
owners' content gaps: never a person, never personal data in a query."""

import csv
import io
import logging
import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.search_terms import search_normalise
from popularity.analysis import Period
from popularity.counting.searches import (
    _batch_apply,
    search_record,
    searches_flush,
)
from popularity.models import DailySearch, DailySearchOpen
from popularity.searches import content_gaps
from tests.factories import ArticleFactory, UserFactory

from .conftest import BROWSER

pytestmark = pytest.mark.django_db

PERSONAL = [
    "jane.doe@example.com",
    "Jane.Doe＠Example.com",
    "jane [at] example.com",
    "+44 20 7946 0958",
    "(555) 123-4567",
    "call 0612345678",
    "order 12345678",
    "4111 1111 1111 1111",
]


def search(client, query, **headers):
    headers.setdefault("HTTP_USER_AGENT", BROWSER)
    return client.get("/search/", {"q": query}, REMOTE_ADDR="198.51.100.7", **headers)


@pytest.fixture
def searchable(commit_callbacks):
    """A published article that search finds by the words of its title."""

    def make(title):
        return commit_callbacks(ArticleFactory, title=title)

    return make


def rows():
    return list(DailySearch.objects.values_list("query", "searches", "results", "opened"))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Méditation   du  SOIR ", "meditation du soir"),
        ("STRASSE", "strasse"),
        ("ﬁne sleep", "fine sleep"),  # a compatibility ligature
        ("5 4 3 2 1 grounding", "5 4 3 2 1 grounding"),  # not a phone number
        ("x" * 400, "x" * 100),
        ("\x00\t ", ""),
    ],
)
def test_a_query_is_counted_normalised(typed, stored):
    assert search_normalise(typed) == stored


@pytest.mark.parametrize("typed", PERSONAL)
def test_a_query_that_looks_like_personal_data_is_dropped(typed):
    assert search_normalise(typed) == ""


def test_each_search_is_counted_per_day_with_its_results(client, searchable):
    searchable("Breathing for calm")
    search(client, "breathing")
    search(client, "  BREATHING ")  # the same search, typed differently (a cached page)
    search(client, "volcanoes")
    assert sorted(rows()) == [("breathing", 2, 1, 0), ("volcanoes", 1, 0, 0)]
    assert "X-Search-Results" not in search(client, "breathing").headers


@pytest.mark.parametrize("kept", [True, False], ids=["page kept", "page evicted"])
def test_a_revalidated_search_answered_304_is_counted_like_a_200(client, searchable, kept):
    searchable("Breathing for calm")
    etag = search(client, "breathing")["ETag"]
    if not kept:
        cache.delete(f"page:{etag}")  # the kept page has gone: the 304 still knows the count
    again = search(client, "breathing", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert "X-Search-Results" not in again.headers
    assert rows() == [("breathing", 2, 1, 0)]


def test_paging_an_empty_query_or_stop_words_is_not_a_search(client):
    search(client, "")
    search(client, "the and")
    client.get("/search/", {"q": "calm", "page": 2}, HTTP_USER_AGENT=BROWSER)
    assert rows() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_USER_AGENT": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
        {"HTTP_USER_AGENT": ""},
        {"HTTP_SEC_GPC": "1"},
        {"HTTP_DNT": "1"},
        {"HTTP_SEC_PURPOSE": "prefetch"},
    ],
)
def test_bots_prefetches_and_readers_who_opt_out_are_not_counted(client, headers):
    assert search(client, "sleep", **headers).status_code == 200
    assert rows() == []


def test_a_head_request_or_staff_is_not_counted(client):
    client.head("/search/", {"q": "sleep"}, HTTP_USER_AGENT=BROWSER)
    client.force_login(UserFactory(is_staff=True))
    search(client, "sleep")
    assert rows() == []


def test_no_stored_row_or_log_line_holds_personal_data(client, caplog):
    caplog.set_level(logging.DEBUG)
    article = ArticleFactory()
    for typed in PERSONAL:
        search(client, typed)
        client.get(
            article.get_absolute_url(),
            {"sp": 1, "sq": typed},
            HTTP_USER_AGENT=BROWSER,
            REMOTE_ADDR="198.51.100.7",
        )
    assert rows() == [] and not DailySearchOpen.objects.exists()
    logged = "\n".join(
        r.getMessage() + str(r.exc_info or "")
        for r in caplog.records
        if not r.name.startswith("factory")  # the test's own factories
    )
    for typed in PERSONAL:
        assert typed.lower() not in logged.lower()
    assert not re.search(r"@|\d{6,}", logged)


def test_the_result_opened_is_counted_with_its_position(client, searchable):
    first = searchable("Sleep well tonight")
    second = searchable("Sleep and the seasons")
    html = search(client, "Sleep").content.decode()
    links = re.findall(r'<h2 class="card__title"><a href="([^"]+)">', html)
    assert len(links) == 2 and all("sp=" in link and "sq=sleep" in link for link in links)
    second_link = next(link for link in links if second.slug in link)
    response = client.get(second_link.replace("&amp;", "&"), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    position = int(re.search(r"sp=(\d+)", second_link).group(1))
    assert rows() == [("sleep", 1, 2, 1)]
    assert list(DailySearchOpen.objects.values_list("article", "opened", "position_sum")) == [
        (second.pk, 1, position)
    ]
    assert first.daily_search_opens.count() == 0
    # The position and query are tracking parameters: the page's canonical copy is the same.
    assert response["ETag"] == client.get(second.get_absolute_url())["ETag"]


def test_a_search_for_personal_data_gets_result_links_without_it(client, searchable):
    searchable("Calling 0612345678 for help")
    html = search(client, "0612345678").content.decode()
    assert "Calling" in html and "sq=" not in html and "sp=" not in html


def test_a_forged_result_link_for_a_query_nobody_searched_adds_nothing(client):
    article = ArticleFactory()
    for params in ({"sp": 1, "sq": "never searched"}, {"sp": "x", "sq": "a"}, {"sp": 0}):
        assert client.get(article.get_absolute_url(), params).status_code == 200
    assert rows() == [] and not DailySearchOpen.objects.exists()


def test_the_flush_writes_any_number_of_queries_in_the_same_statements():
    article = ArticleFactory()
    day = timezone.localdate().isoformat()

    def batch(n):
        fields = {f"s\x1f{day}\x1fquery {i}\x1f0": 2 for i in range(n)}
        fields.update({f"o\x1f{day}\x1fquery {i}\x1f{article.pk}\x1f3": 1 for i in range(n)})
        return fields

    counts = []
    for n in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            assert _batch_apply(uuid.uuid4(), batch(n)) == 2 * n
        counts.append(len(queries))
    assert counts[0] == counts[1]
    both = DailySearch.objects.get(query="query 0")  # in both batches
    assert (both.searches, both.opened, both.position_sum) == (4, 2, 6)
    once = DailySearch.objects.get(query="query 7")
    assert (once.searches, once.opened, once.position_sum) == (2, 1, 3)


def test_a_batch_is_written_once():
    batch_id = uuid.uuid4()
    day = timezone.localdate().isoformat()
    assert _batch_apply(batch_id, {f"s\x1f{day}\x1fcalm\x1f0": 3}) == 3
    assert _batch_apply(batch_id, {f"s\x1f{day}\x1fcalm\x1f0": 3}) == 0
    assert rows() == [("calm", 3, 0, 0)]


def test_searches_buffered_in_redis_reach_the_gaps_after_a_flush(buffer):
    search_record(query="grief at work", results=0)
    search_record(query="grief at work", results=0)
    assert rows() == []  # buffered: one HINCRBY each
    assert searches_flush() == 2
    assert rows() == [("grief at work", 2, 0, 0)]
    assert searches_flush() == 0


def test_content_gaps_rank_searches_that_led_nowhere(client, owner, django_assert_num_queries):
    today = timezone.localdate()
    article = ArticleFactory()
    DailySearch.objects.create(day=today, query="grief", searches=5, results=0)
    DailySearch.objects.create(day=today - timedelta(days=1), query="grief", searches=4)
    DailySearch.objects.create(day=today, query="=cmd()", searches=1, results=3)
    DailySearch.objects.create(day=today, query="sleep", searches=9, results=2, opened=1)
    DailySearchOpen.objects.create(day=today, query="sleep", article=article, opened=1)
    period = Period(start=today - timedelta(days=6), end=today)
    with django_assert_num_queries(1):
        gaps = content_gaps(period=period)
    assert [(g.query, g.searches, g.reason) for g in gaps] == [
        ("grief", 9, "No result"),
        ("=cmd()", 1, "Nothing opened"),
    ]

    client.force_login(owner)
    html = client.get(reverse("statistics:index")).content.decode()
    gaps_html = html[html.index('id="content-gaps"') :]
    assert "grief" in gaps_html and "sleep" not in gaps_html.split("</table>")[0]
    exported = client.get(reverse("statistics:export_searches")).content.decode()
    assert list(csv.reader(io.StringIO(exported)))[1:] == [
        ["grief", "9", "0", "0", "No result"],
        ["'=cmd()", "1", "3", "0", "Nothing opened"],
    ]
    page = client.get(reverse("statistics:article", kwargs={"article_id": article.pk}))
    assert "Searches that lead here" in page.content.decode()
    assert re.search(r"<td>sleep</td><td class=\"num\">1</td>", page.content.decode())


def test_write_this_opens_a_new_draft_titled_with_the_query(client, owner):
    DailySearch.objects.create(day=timezone.localdate(), query="grief at work", searches=2)
    watcher = UserFactory(is_staff=True)  # may see the figures, not write
    watcher.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    client.force_login(watcher)
    html = client.get(reverse("statistics:index")).content.decode()
    assert "grief at work" in html and "Write this" not in html
    client.force_login(owner)
    html = client.get(reverse("statistics:index")).content.decode()
    link = re.search(r'<a href="([^"]+)">Write this', html).group(1).replace("&amp;", "&")
    assert link == reverse("admin:articles_article_add") + "?title=Grief+at+work"
    add = client.get(link)
    assert add.status_code == 200
    assert 'value="Grief at work"' in add.content.decode()


def test_a_gap_already_being_written_links_to_its_draft_not_to_another(client, owner):
    DailySearch.objects.create(day=timezone.localdate(), query="melatonin", searches=3)
    DailySearch.objects.create(day=timezone.localdate(), query="grief", searches=2)
    draft = ArticleFactory(title="Melatonin", draft=True)
    client.force_login(owner)
    html = client.get(reverse("statistics:index")).content.decode()
    gaps = html[html.index('id="content-gaps-table"') :].split("</table>")[0]
    change = reverse("admin:articles_article_change", args=[draft.pk])
    assert f'<a href="{change}">Being written' in gaps
    assert re.findall(r"Write this<span[^>]*>: ([^<]+)<", gaps) == ["grief"]


def test_a_search_costs_one_statement_without_redis(django_assert_num_queries):
    with django_assert_num_queries(1):
        search_record(query="calm", results=0)
    with django_assert_num_queries(1):
        search_record(query="calm", results=2)
    assert rows() == [("calm", 2, 2, 0)]


def test_a_search_costs_one_redis_call(buffer, monkeypatch, django_assert_num_queries):
    calls = []
    execute = buffer.client.execute_command

    def counted(*args, **kwargs):
        calls.append(args[0])
        return execute(*args, **kwargs)

    monkeypatch.setattr(buffer.client, "execute_command", counted)
    with django_assert_num_queries(0):
        search_record(query="calm", results=0)
    assert calls == ["HINCRBY"]
