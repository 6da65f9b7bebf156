"""Sources, campaigns, devices and countries are counted with each view, on both paths
(straight into PostgreSQL, or through the Redis buffer and its flush), bounded, and without
keeping anything that could name a reader."""

import json
import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from popularity.counting.flush import buffer_flush
from popularity.counting.origin import ORIGIN_KEY_FIELDS, Origin
from popularity.counting.record import view_record
from popularity.models import DailyOrigin, DailyView, SiteDailyOrigin, Source
from tests.factories import ArticleFactory

from .conftest import BROWSER
from .test_concurrency import THREADS, run_at_once
from .test_origin import IPHONE

pytestmark = pytest.mark.django_db

IP = "198.51.100.77"
SECRET = "token=s3cr3t-reset-link"


@pytest.fixture(params=["postgresql", "redis"])
def path(request):
    """Each test runs on both paths; `path.settle()` makes buffered views land."""
    if request.param == "redis":
        request.getfixturevalue("buffer")
        return type("Path", (), {"name": "redis", "settle": staticmethod(buffer_flush)})
    return type("Path", (), {"name": "postgresql", "settle": staticmethod(lambda: None)})


def origins(article) -> list[tuple]:
    return list(
        DailyOrigin.objects.filter(article=article)
        .order_by("source", "campaign", "device")
        .values_list(
            "source",
            "medium",
            "campaign",
            "device",
            "browser",
            "os",
            "country",
            "views",
            "unique_readers",
        )
    )


def site_matches_articles() -> list[tuple]:
    """The site's origin rows, after checking each is its articles' rows summed."""
    site = SiteDailyOrigin.objects.order_by("day", "source", "campaign", "device", "browser")
    summed = (
        DailyOrigin.objects.values("day", *ORIGIN_KEY_FIELDS)
        .annotate(v=Sum("views"), u=Sum("unique_readers"))
        .order_by("day", "source", "campaign", "device", "browser")
    )
    expected = [
        (*(row[f] for f in ("day", *ORIGIN_KEY_FIELDS)), row["v"], row["u"]) for row in summed
    ]
    found = list(site.values_list("day", *ORIGIN_KEY_FIELDS, "views", "unique_readers"))
    assert found == expected
    return found


def test_a_view_from_a_search_engine_with_utm_tags_is_counted_with_its_origin(read, path):
    article = ArticleFactory()
    url = article.get_absolute_url() + "?utm_source=google&utm_medium=cpc&utm_campaign=spring"
    read(url, agent=IPHONE, HTTP_REFERER="https://www.google.com/search?q=eye+twitching")
    read(url, agent=IPHONE, HTTP_REFERER="https://www.google.com/")  # a reload: not counted
    read(article.get_absolute_url(), ip="198.51.100.8", HTTP_REFERER="https://t.co/xyz")
    read(article.get_absolute_url(), ip="198.51.100.9")
    path.settle()
    assert origins(article) == [
        (Source.DIRECT, "", "", "desktop", "Chrome", "Linux", "", 1, 1),
        (Source.GOOGLE, "cpc", "spring", "mobile", "Mobile Safari", "iOS", "", 1, 1),
        (Source.X, "", "", "desktop", "Chrome", "Linux", "", 1, 1),
    ]
    assert DailyView.objects.get(article=article).origins == 3
    assert len(site_matches_articles()) == 3


def test_the_sites_rows_sum_the_articles_rows_on_both_paths(path, settings):
    """Two articles read from the same places, then one from new places past its bound (3:
    two rows of their own and Other): the site's row of an origin holds both articles'
    views, and the views that went to an article's Other row are in the site's Other."""
    settings.POPULARITY_MAX_ORIGINS_PER_DAY = 3
    first, second = ArticleFactory(), ArticleFactory()
    # A second apart: the bound keeps the sources seen first, and the buffer orders views
    # by their millisecond, which views recorded in one loop can share.
    start = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)  # one day
    moments = (start + timedelta(seconds=n) for n in range(9))
    for article in (first, second):
        for n, source in enumerate(("Reddit", "Reddit", "Google")):
            view_record(
                article_id=article.pk,
                ip=f"203.0.113.{n}",
                user_agent=BROWSER,
                origin=Origin(source=source),
                now=next(moments),
            )
    for n in range(3):  # new sources for the first article only: past its bound
        view_record(
            article_id=first.pk,
            ip=f"198.51.100.{n}",
            user_agent=BROWSER,
            origin=Origin(source=f"s{n}.example.org"),
            now=next(moments),
        )
    path.settle()
    site = {row[1]: (row[-2], row[-1]) for row in site_matches_articles()}
    assert site == {"Reddit": (4, 4), "Google": (2, 2), "Other": (3, 3)}


def test_a_later_view_of_the_same_reader_adds_a_view_not_a_reader(path, settings):
    article = ArticleFactory()
    settings.POPULARITY_REPEAT_VIEW_MINUTES = 0
    for _ in range(2):
        view_record(
            article_id=article.pk, ip=IP, user_agent=BROWSER, origin=Origin(source="Reddit")
        )
    path.settle()
    assert [(r[0], r[-2], r[-1]) for r in origins(article)] == [("Reddit", 2, 1)]


def test_the_country_comes_only_from_the_configured_proxy_header(read, path, settings):
    article = ArticleFactory()
    read(article.get_absolute_url(), ip="198.51.100.1", HTTP_CF_IPCOUNTRY="DE")
    settings.POPULARITY_COUNTRY_HEADER = "CF-IPCountry"
    read(article.get_absolute_url(), ip="198.51.100.2", HTTP_CF_IPCOUNTRY="nz")
    read(article.get_absolute_url(), ip="198.51.100.3", HTTP_CF_IPCOUNTRY="<b>")
    path.settle()
    assert sorted(r[6] for r in origins(article)) == ["", "NZ"]  # "" holds two views
    assert sum(r[7] for r in origins(article)) == 3


def test_forged_referrers_utm_and_agents_never_make_more_rows_than_the_limit(read, path, settings):
    settings.POPULARITY_MAX_ORIGINS_PER_DAY = 5
    article = ArticleFactory()
    url = article.get_absolute_url()
    for n in range(40):
        read(
            f"{url}?utm_campaign=c{n}" if n % 2 else url,
            ip=f"203.0.113.{n}",
            agent=f"{BROWSER} Forged/{n}" if n % 3 else f"Mozilla/5.0 (Forged OS {n}) Gecko/{n}",
            HTTP_REFERER=f"https://www.site-{n}.org/page?q={n}",
        )
    path.settle()
    rows = origins(article)
    assert len(rows) == 5
    assert sum(r[7] for r in rows) == 40 == DailyView.objects.get(article=article).views
    other = [r for r in rows if r[0] == Source.OTHER]
    assert other and other[0][7] == 36  # the first four kept a row of their own
    # Later days start again; earlier rows stay as they are.
    assert DailyView.objects.get(article=article).origins == 5


def test_the_limit_holds_across_both_paths(read, buffer, settings):
    settings.POPULARITY_MAX_ORIGINS_PER_DAY = 4
    article = ArticleFactory()
    url = article.get_absolute_url()
    up = settings.REDIS_URL
    for n in range(12):
        settings.REDIS_URL = up if n % 2 else "redis://127.0.0.1:1/0"  # every other one down
        read(url, ip=f"203.0.113.{n}", HTTP_REFERER=f"https://s{n}.example.org/")
        if n % 4 == 3:
            settings.REDIS_URL = up
            buffer_flush()
    settings.REDIS_URL = up
    buffer_flush()
    rows = origins(article)
    assert len(rows) <= 4
    assert sum(r[7] for r in rows) == 12 == DailyView.objects.get(article=article).views


@pytest.mark.django_db(transaction=True)
def test_simultaneous_new_sources_never_pass_the_limit(settings):
    """Eight connections at once, each view a new source: the daily row's lock orders
    them, so the limit holds exactly and no view is lost."""
    settings.POPULARITY_MAX_ORIGINS_PER_DAY = 10
    article = ArticleFactory()

    def work(index):
        return [
            view_record(
                article_id=article.pk,
                ip=f"10.{index}.0.{n}",
                user_agent=BROWSER,
                origin=Origin(source=f"s{index}-{n}.example.org"),
            )
            for n in range(15)
        ]

    assert all(run_at_once(work))
    rows = origins(article)
    assert len(rows) <= 10
    assert sum(r[7] for r in rows) == THREADS * 15 == DailyView.objects.get(article=article).views
    assert sum(row[-2] for row in site_matches_articles()) == THREADS * 15


@pytest.mark.django_db(transaction=True)
def test_simultaneous_views_of_many_articles_from_one_origin_all_reach_the_sites_row():
    """Eight connections at once, each reading its own articles from Google: they all add
    to the one site row of that origin, and none of its views is lost."""
    articles = [ArticleFactory() for _ in range(THREADS)]

    def work(index):
        return [
            view_record(
                article_id=articles[index].pk,
                ip=f"10.{index}.1.{n}",
                user_agent=BROWSER,
                origin=Origin(source="Google"),
            )
            for n in range(15)
        ]

    assert all(run_at_once(work))
    assert [(row[1], row[-2]) for row in site_matches_articles()] == [("Google", THREADS * 15)]


def test_counting_a_view_is_still_one_redis_round_trip(read, buffer, redis_replies):
    article = ArticleFactory()
    url = article.get_absolute_url() + "?utm_source=newsletter&utm_campaign=may"
    read(url, ip="198.51.100.200")  # loads the script once
    replies = redis_replies()
    for n in range(5):
        read(url, ip=f"198.51.100.{n}", agent=IPHONE, HTTP_REFERER="https://www.google.com/")
    read(url, ip="198.51.100.0", agent=IPHONE)  # a reload, filtered in the same one call
    assert len(replies) == 6


def test_nothing_stored_or_logged_can_name_a_reader(read, path, settings, caplog):
    """No address, no referrer path or query, no user agent outside its retained counts."""
    settings.POPULARITY_COUNTRY_HEADER = "CF-IPCountry"
    article = ArticleFactory()
    agent = f"{IPHONE} UniqueMarker/12345"
    referer = f"https://www.example.org/private/page?{SECRET}"
    caplog.set_level(logging.DEBUG)
    read(
        article.get_absolute_url() + f"?utm_source=mail&{SECRET}",
        ip=IP,
        agent=agent,
        HTTP_REFERER=referer,
        HTTP_CF_IPCOUNTRY="FR",
    )
    path.settle()
    assert origins(article)[0][0] == "mail"
    stored = []
    with connection.cursor() as cursor:
        for model in (
            "dailyview",
            "dailyorigin",
            "sitedailyorigin",
            "readerday",
            "articletotal",
            "flushedbatch",
        ):
            cursor.execute(f"SELECT row_to_json(t)::text FROM popularity_{model} AS t")
            stored += [row[0] for row in cursor.fetchall()]
    dump = json.dumps(stored) + caplog.text
    for secret in (IP, "s3cr3t", "/private/page", "UniqueMarker"):
        assert secret not in dump
    assert "FR" in dump and "mail" in dump  # what is kept is there


def test_views_buffered_before_origins_were_kept_still_count(buffer):
    """A batch left in Redis by the previous version has no origin: counted, in no row."""
    article = ArticleFactory()
    day = timezone.localdate().isoformat()
    ms = int(timezone.now().timestamp() * 1000)
    buffer.client.hset(
        f"{buffer.prefix}:buffer",
        mapping={f"r:{article.pk}:{day}:42:abcd": str(ms), "agent:abcd": BROWSER},
    )
    assert buffer_flush().views == 1
    assert DailyView.objects.get(article=article).views == 1
    assert origins(article) == []
