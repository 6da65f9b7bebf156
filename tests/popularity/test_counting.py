"""The counting rule, the daily salt and what is (not) stored."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from popularity.counting.record import view_record
from popularity.counting.rule import reader_hash
from popularity.counting.salts import salt_for_day, salts_rotate
from popularity.models import (
    AGENT_MAX_LENGTH,
    ArticleTotal,
    DailyAgentView,
    DailySalt,
    DailySearch,
    DailySearchOpen,
    DailyView,
    ReaderDay,
)
from tests.factories import ArticleFactory, DailyAgentViewFactory, DailyViewFactory

from .conftest import BROWSER, OTHER_BROWSER, agent_counts

pytestmark = pytest.mark.django_db
IP = "203.0.113.77"


def counts(article):
    row = DailyView.objects.filter(article=article).first()
    return (row.views, row.unique_readers) if row else (0, 0)


def test_first_view_counts_a_view_and_a_reader():
    article = ArticleFactory()
    assert view_record(article_id=article.pk, ip=IP, user_agent=BROWSER) is True
    assert counts(article) == (1, 1)
    assert ArticleTotal.objects.get(article=article).views == 1


def test_ten_reloads_are_one_reader_and_one_view():
    article = ArticleFactory()
    start = timezone.localtime().replace(hour=9, minute=0)
    results = [
        view_record(
            article_id=article.pk, ip=IP, user_agent=BROWSER, now=start + timedelta(seconds=s)
        )
        for s in range(10)
    ]
    assert results == [True] + [False] * 9
    assert counts(article) == (1, 1)


@pytest.mark.parametrize(
    "cache",
    [
        {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},  # keeps nothing
        {
            # Django's own Redis backend raises when its server is gone; nothing on port 1.
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        },
    ],
    ids=["cache-keeps-nothing", "cache-down"],
)
def test_a_reload_is_recognised_whatever_the_cache(settings, cache):
    settings.CACHES = {"default": cache}
    article = ArticleFactory()
    assert view_record(article_id=article.pk, ip=IP, user_agent=BROWSER) is True
    assert view_record(article_id=article.pk, ip=IP, user_agent=BROWSER) is False
    assert counts(article) == (1, 1)


@pytest.mark.parametrize("alias", ["local", "default"])
def test_a_reload_is_recognised_after_the_cache_forgets_the_salt(alias):
    from django.core.cache import caches

    article = ArticleFactory()
    view_record(article_id=article.pk, ip=IP, user_agent=BROWSER)
    caches[alias].clear()  # evicted, or a worker restarted: the salt is read from PostgreSQL
    assert view_record(article_id=article.pk, ip=IP, user_agent=BROWSER) is False
    assert counts(article) == (1, 1) and DailySalt.objects.count() == 1


def test_repeat_views_count_after_the_gap_and_only_up_to_the_cap(settings):
    settings.POPULARITY_REPEAT_VIEW_MINUTES = 30
    settings.POPULARITY_MAX_VIEWS_PER_READER = 3
    article = ArticleFactory()
    start = timezone.localtime().replace(hour=8, minute=0)
    minutes = [0, 10, 31, 45, 62, 95, 130, 300]
    counted = [
        view_record(
            article_id=article.pk, ip=IP, user_agent=BROWSER, now=start + timedelta(minutes=m)
        )
        for m in minutes
    ]
    # 0 counts; 10 is too soon; 31 counts; 45 too soon; 62 counts; the cap of 3 is reached.
    assert counted == [True, False, True, False, True, False, False, False]
    assert counts(article) == (3, 1)
    assert ArticleTotal.objects.get(article=article).views == 3


def test_different_addresses_browsers_and_articles_are_different_readers():
    article, other = ArticleFactory(), ArticleFactory()
    view_record(article_id=article.pk, ip=IP, user_agent=BROWSER)
    view_record(article_id=article.pk, ip="203.0.113.78", user_agent=BROWSER)
    view_record(article_id=article.pk, ip=IP, user_agent=OTHER_BROWSER)
    view_record(article_id=other.pk, ip=IP, user_agent=BROWSER)
    assert counts(article) == (3, 3)
    assert counts(other) == (1, 1)


def test_the_same_reader_gets_a_new_unlinkable_hash_each_day():
    today = timezone.localdate()
    salt_today = salt_for_day(day=today)
    salt_tomorrow = salt_for_day(day=today + timedelta(days=1))
    assert salt_today != salt_tomorrow and len(salt_today) == 32
    same_reader = {"ip": IP, "user_agent": BROWSER, "article_id": 1}
    assert reader_hash(salt=salt_today, **same_reader) == reader_hash(
        salt=salt_today, **same_reader
    )
    assert reader_hash(salt=salt_today, **same_reader) != reader_hash(
        salt=salt_tomorrow, **same_reader
    )


def test_a_new_day_deletes_the_past_salts_and_seen_readers():
    article = ArticleFactory()
    today = timezone.localdate()
    yesterday_noon = timezone.now() - timedelta(days=1)
    view_record(article_id=article.pk, ip=IP, user_agent=BROWSER, now=yesterday_noon)
    assert DailySalt.objects.filter(day=today - timedelta(days=1)).exists()
    assert ReaderDay.objects.filter(day=today - timedelta(days=1)).count() == 1

    view_record(article_id=article.pk, ip=IP, user_agent=BROWSER)

    assert list(DailySalt.objects.values_list("day", flat=True)) == [today]
    assert list(ReaderDay.objects.values_list("day", flat=True)) == [today]
    # Yesterday's counts stay; the same person is a new reader today.
    assert sorted(DailyView.objects.values_list("day", "views", "unique_readers")) == [
        (today - timedelta(days=1), 1, 1),
        (today, 1, 1),
    ]


def test_no_address_is_stored_and_the_user_agent_only_as_an_aggregate_count():
    article = ArticleFactory()
    for ip in ("203.0.113.77", "2001:db8::77"):
        view_record(article_id=article.pk, ip=ip, user_agent=BROWSER + " UniqueAgent/9.9")
    agents_table = DailyAgentView._meta.db_table
    with connection.cursor() as cursor:
        dump = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')
            dump[table] = "\n".join(row[0] for row in cursor.fetchall())
    everything = "\n".join(dump.values())
    assert counts(article) == (2, 2)
    for needle in ("203.0.113.77", "2001:db8::77"):
        assert needle not in everything
    # Nor in a binary form (a packed IPv4 address in a bytea column would show as hex).
    assert "cb00714d" not in everything.replace("\\x", "")
    # The user agent is in one table only, as a count per article and day: two readers,
    # one row, nothing that tells them apart.
    assert [t for t, rows in dump.items() if "UniqueAgent" in rows] == [agents_table]
    assert list(DailyAgentView.objects.values_list("article", "agent", "views")) == [
        (article.pk, BROWSER + " UniqueAgent/9.9", 2)
    ]


def test_only_views_that_count_add_to_their_browser(settings):
    settings.POPULARITY_REPEAT_VIEW_MINUTES = 30
    article = ArticleFactory()
    start = timezone.localtime().replace(hour=8, minute=0)
    for minutes in (0, 10, 31):  # 10 is too soon: no view, so no browser's view either
        now = start + timedelta(minutes=minutes)
        view_record(article_id=article.pk, ip=IP, user_agent=BROWSER, now=now)
    assert counts(article) == (2, 1)
    assert agent_counts(article) == {BROWSER: 2}


def test_a_user_agent_is_kept_cut_to_its_column_and_without_nul():
    article = ArticleFactory()
    sent = "Bot\x00/1 " + "x" * 300
    assert view_record(article_id=article.pk, ip=IP, user_agent=sent)
    (agent,) = agent_counts(article)
    assert agent == ("Bot\ufffd/1 " + "x" * 300)[:AGENT_MAX_LENGTH]


def test_browser_counts_are_kept_for_the_retention_days_only(settings):
    settings.POPULARITY_AGENT_RETENTION_DAYS = 90
    today = timezone.localdate()
    article = ArticleFactory()
    for age in (0, 89, 90, 400):
        day = today - timedelta(days=age)
        DailyAgentViewFactory(article=article, day=day, views=age + 1)
        DailyViewFactory(article=article, day=day, views=age + 1)

    salts_rotate(today=today)

    kept = DailyAgentView.objects.order_by("day").values_list("day", flat=True)
    assert list(kept) == [today - timedelta(days=89), today]
    assert DailyView.objects.filter(article=article).count() == 4  # views are kept for good


def test_site_searches_are_kept_for_the_retention_days_only(settings):
    settings.POPULARITY_SEARCH_RETENTION_DAYS = 400
    today = timezone.localdate()
    article = ArticleFactory()
    for age in (0, 399, 400, 1000):
        day = today - timedelta(days=age)
        DailySearch.objects.create(day=day, query="grief at work", searches=2, opened=1)
        DailySearchOpen.objects.create(day=day, query="grief at work", article=article, opened=1)

    call_command("popularity_rotate_salts", stdout=io.StringIO())  # what the scheduler runs

    kept = [today - timedelta(days=399), today]
    assert list(DailySearch.objects.order_by("day").values_list("day", flat=True)) == kept
    assert list(DailySearchOpen.objects.order_by("day").values_list("day", flat=True)) == kept
