"""Reading paths ("read A, then B"): counted from an article's internal referrer on both
paths (straight into PostgreSQL, or through the Redis buffer and its flush), per day and
never per person."""

import csv
import io
import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from popularity.analysis import Period
from popularity.counting.buffer import BufferedBatch, BufferedView
from popularity.counting.flush import _apply_batch, buffer_flush
from popularity.counting.record import view_record
from popularity.counting.rule import CountingRule, reader_hash
from popularity.counting.salts import salt_for_day, salts_rotate
from popularity.models import DailyPath, DailyView
from popularity.paths import article_onward
from tests.factories import (
    ArticleFactory,
    DailyOriginFactory,
    DailyPathFactory,
    DailyViewFactory,
    UserFactory,
)

from .conftest import BROWSER, OTHER_BROWSER
from .test_buffer import DOWN
from .test_origin_counting import path  # noqa: F401 (a fixture: each test on both paths)
from .test_views import ago, table

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def paths() -> list[tuple[int, int, int]]:
    """(from, to, readers) of every stored path, all days together."""
    return list(
        DailyPath.objects.order_by("from_article", "to_article").values_list(
            "from_article", "to_article", "readers"
        )
    )


def test_following_a_link_from_one_article_to_another_is_a_path(read, path):  # noqa: F811
    first, second, third = ArticleFactory(), ArticleFactory(), ArticleFactory()
    came_from = SITE + first.get_absolute_url()
    read(first.get_absolute_url())
    read(second.get_absolute_url(), HTTP_REFERER=came_from)
    read(second.get_absolute_url(), HTTP_REFERER=came_from)  # a reload: the same reader
    read(second.get_absolute_url(), ip="198.51.100.8", HTTP_REFERER=came_from)
    read(third.get_absolute_url(), agent=OTHER_BROWSER, HTTP_REFERER=came_from + "#section-2")
    path.settle()
    assert paths() == [(first.pk, second.pk, 2), (first.pk, third.pk, 1)]
    assert DailyPath.objects.get(to_article=third).day == timezone.localdate()


@pytest.mark.parametrize(
    "referer",
    [
        "",
        "https://www.google.com/",
        "https://elsewhere.example/articles/{slug}/",  # another site's page with that path
        "http://testserver/search/?q=calm",
        "http://testserver/",
        "http://testserver/articles/no-such-article/",
        "http://testserver/articles/{self}/",  # the article itself: a reload or an anchor
        "http://[broken/articles/{slug}/",
        "http://testserver/articles/%00{slug}/",
        "http://testserver:99999/articles/\u00e9t\u00e9/",
        "http://testserver/articles/" + "x" * 5000 + "/",
    ],
)
def test_other_referrers_make_no_path_and_the_view_still_counts(read, path, referer):  # noqa: F811
    first, second = ArticleFactory(), ArticleFactory()
    read(second.get_absolute_url(), HTTP_REFERER=referer.format(slug=first.slug, self=second.slug))
    path.settle()
    assert paths() == []
    assert DailyView.objects.get(article=second).views == 1


def test_a_draft_or_a_deleted_first_article_makes_no_path(read, path):  # noqa: F811
    draft, gone, second = ArticleFactory(draft=True), ArticleFactory(), ArticleFactory()
    read(second.get_absolute_url(), HTTP_REFERER=f"{SITE}/articles/{draft.slug}/")
    read(second.get_absolute_url(), ip="198.51.100.9", HTTP_REFERER=SITE + gone.get_absolute_url())
    gone.delete()  # after the view, before the flush
    path.settle()
    assert paths() == []


def test_paths_from_both_paths_land_in_the_same_row(read, buffer, settings):
    first, second = ArticleFactory(), ArticleFactory()
    came_from = SITE + first.get_absolute_url()
    read(second.get_absolute_url(), HTTP_REFERER=came_from)  # through Redis
    up = settings.REDIS_URL
    settings.REDIS_URL = DOWN
    read(second.get_absolute_url(), ip="198.51.100.8", HTTP_REFERER=came_from)
    assert paths() == [(first.pk, second.pk, 1)]
    settings.REDIS_URL = up
    buffer_flush()
    assert paths() == [(first.pk, second.pk, 2)]


def test_a_retried_batch_adds_its_paths_once():
    first, second = ArticleFactory(), ArticleFactory()
    now = timezone.now()
    view = BufferedView(
        article_id=second.pk,
        day=timezone.localdate(now),
        reader=7,
        agent=BROWSER,
        at=now,
        from_article_id=first.pk,
    )
    batch = BufferedBatch(batch_id=str(uuid.uuid4()), key="k", views=[view])
    assert _apply_batch(batch, rule=CountingRule.from_settings()) is not None
    assert _apply_batch(batch, rule=CountingRule.from_settings()) is None
    assert paths() == [(first.pk, second.pk, 1)]


def test_the_flush_writes_any_number_of_paths_in_the_same_statements():
    articles = ArticleFactory.create_batch(12)
    now = timezone.now()
    rule = CountingRule.from_settings()

    def batch(pairs, readers_from):
        views = [
            BufferedView(
                article_id=b.pk,
                day=timezone.localdate(now),
                reader=readers_from + 1000 * i + n,
                agent=BROWSER,
                at=now,
                from_article_id=a.pk,
            )
            for n, (a, b) in enumerate(pairs)
            for i in range(1, 3)
        ]
        return BufferedBatch(batch_id=str(uuid.uuid4()), key="k", views=views)

    counts = []
    chain = list(zip(articles, articles[1:], strict=False))  # 11 pairs, one after another
    for number, pairs in enumerate(([articles[:2]], chain)):
        with CaptureQueriesContext(connection) as queries:
            _apply_batch(batch(pairs, readers_from=10_000 * number), rule=rule)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert DailyPath.objects.count() == 11
    assert DailyPath.objects.get(from_article=articles[0]).readers == 4  # in both batches


def test_a_view_with_a_path_is_still_one_statement_without_redis(django_assert_num_queries):
    first, second = ArticleFactory(), ArticleFactory()
    salt_for_day(day=timezone.localdate())  # the day's salt is kept in the process
    with django_assert_num_queries(1):
        assert view_record(
            article_id=second.pk, ip="198.51.100.7", user_agent=BROWSER, from_article_id=first.pk
        )
    assert paths() == [(first.pk, second.pk, 1)]


def test_a_view_with_a_path_is_still_one_redis_round_trip(read, buffer, redis_replies):
    first, second = ArticleFactory(), ArticleFactory()
    came_from = SITE + first.get_absolute_url()
    read(first.get_absolute_url(), ip="198.51.100.200")  # loads the script, keeps the slugs
    read(second.get_absolute_url(), ip="198.51.100.200", HTTP_REFERER=came_from)
    replies = redis_replies()
    for n in range(3):
        read(second.get_absolute_url(), ip=f"198.51.100.{n}", HTTP_REFERER=came_from)
    assert len(replies) == 3
    buffer_flush()
    assert paths() == [(first.pk, second.pk, 4)]


def test_nothing_stored_or_logged_ties_two_views_to_one_reader(read, path, caplog):  # noqa: F811
    """A reader who reads A then B leaves the pair and a count, never a reader beside both:
    the only hashes are the day's seen-set's, one per reader and article, under a salt
    deleted with the day, and they go with it."""
    caplog.set_level(logging.DEBUG)
    first, second = ArticleFactory(), ArticleFactory()
    ip = "198.51.100.77"
    read(first.get_absolute_url(), ip=ip)
    read(second.get_absolute_url(), ip=ip, HTTP_REFERER=SITE + first.get_absolute_url())
    path.settle()
    today = timezone.localdate()
    salt = salt_for_day(day=today)
    hashes = {
        str(reader_hash(salt=salt, ip=ip, user_agent=BROWSER, article_id=a.pk))
        for a in (first, second)
    }

    def stored() -> dict[str, list[str]]:
        tables = {}
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'popularity\\_%%'")
            for (table,) in cursor.fetchall():
                cursor.execute(f"SELECT row_to_json(t)::text FROM {table} AS t")
                tables[table] = [row[0] for row in cursor.fetchall()]
        return tables

    rows = stored()
    assert [json.loads(r) for r in rows["popularity_dailypath"]] == [
        {
            "from_article_id": first.pk,
            "day": today.isoformat(),
            "to_article_id": second.pk,
            "readers": 1,
        }
    ]
    assert {h for h in hashes if any(h in row for row in rows["popularity_readerday"])} == hashes
    for name, found in rows.items():
        for row in found:
            held = {h for h in hashes if h in row}
            # A hash is only ever the seen-set's, one reader of one article per row.
            assert not held or (name == "popularity_readerday" and len(held) == 1), name
    assert ip not in caplog.text and not any(h in caplog.text for h in hashes)

    salts_rotate(today=today + timedelta(days=1))  # the next day: the salt and its hashes go
    dump = json.dumps(stored())
    assert not any(h in dump for h in hashes)
    assert DailyPath.objects.count() == 1  # the aggregate stays


# --- The owners' dashboard ---------------------------------------------------------------


@pytest.fixture
def trail(owner):
    """Sleep read by 10, Breath by 4 (4 of them from Sleep, 1 more the week before), Night
    by 3 (2 from Sleep, 1 from Breath): over the last 7 days."""
    today = timezone.localdate()
    sleep, breath, night = (ArticleFactory(title=title) for title in ("Sleep", "=Breath", "Night"))
    for article, readers in ((sleep, 10), (breath, 4), (night, 3)):
        DailyViewFactory(article=article, day=today, views=readers, unique_readers=readers)
        DailyOriginFactory(article=article, day=today, source="Google", views=1, unique_readers=1)
    DailyPathFactory(from_article=sleep, to_article=breath, readers=3)
    DailyPathFactory(from_article=sleep, to_article=breath, day=today - timedelta(days=1))
    DailyPathFactory(from_article=sleep, to_article=breath, day=today - timedelta(days=9))
    DailyPathFactory(from_article=sleep, to_article=night, readers=2)
    DailyPathFactory(from_article=breath, to_article=night, readers=1)
    return sleep, breath, night


def page_of(article):
    return reverse("statistics:article", kwargs={"article_id": article.pk})


def test_an_articles_page_shows_where_its_readers_came_from_and_went_next(client, trail):
    sleep, breath, night = trail
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(page_of(breath) + "?range=7").content.decode()
    assert table(html, "came-from-table")[1:] == [["Sleep", "4"]]
    assert table(html, "read-next-table")[1:] == [["Night", "1"]]
    assert "Onward rate: <strong>25%</strong>" in html  # 1 of its 4 readers went on
    html = client.get(page_of(sleep) + "?range=7").content.decode()
    assert "No reader came here from another article in this period." in html
    assert table(html, "read-next-table")[1:] == [["=Breath", "4"], ["Night", "2"]]
    assert "Onward rate: <strong>60%</strong>" in html  # 6 of its 10 readers
    html = client.get(page_of(sleep) + "?range=30").content.decode()
    assert table(html, "read-next-table")[1:] == [["=Breath", "5"], ["Night", "2"]]

    exported = client.get(reverse("statistics:export_paths"), {"range": 7, "article": sleep.pk})
    assert list(csv.reader(io.StringIO(exported.content.decode()))) == [
        ["direction", "article", "slug", "readers"],
        ["read next", "'=Breath", breath.slug, "4"],
        ["read next", "Night", night.slug, "2"],
    ]


def test_the_site_page_shows_the_pairs_read_most(client, owner, trail):
    sleep, breath, night = trail
    client.force_login(owner)
    html = client.get(reverse("statistics:index") + "?range=7").content.decode()
    assert table(html, "top-pairs-table")[1:] == [
        ["Sleep", "=Breath", "4"],
        ["Sleep", "Night", "2"],
        ["=Breath", "Night", "1"],
    ]
    assert 'href="' + page_of(sleep) + '?range=7"' in html
    assert "Not narrowed by the filters above" not in html
    # The articles table: each article's onward rate, its own readers whatever the filter.
    rows = {row[1]: row for row in table(html, "article-table")[1:]}
    assert [rows[title][5] for title in ("Sleep", "=Breath", "Night")] == ["60%", "25%", "0%"]
    filtered = client.get(reverse("statistics:index") + "?range=7&source=Google").content.decode()
    assert filtered.count("Not narrowed by the filters above") == 1
    assert table(filtered, "top-pairs-table") == table(html, "top-pairs-table")
    rows = {row[1]: row for row in table(filtered, "article-table")[1:]}
    assert rows["Sleep"][3] == "1" and rows["Sleep"][5] == "60%"  # 1 reader from Google

    exported = client.get(reverse("statistics:export_paths"), {"range": 7}).content.decode()
    assert list(csv.reader(io.StringIO(exported)))[1:] == [
        ["Sleep", sleep.slug, "'=Breath", breath.slug, "4"],
        ["Sleep", sleep.slug, "Night", night.slug, "2"],
        ["'=Breath", breath.slug, "Night", night.slug, "1"],
    ]
    empty = client.get(reverse("statistics:index"), {"start": ago(20), "end": ago(20)})
    assert "No reader followed a link from one article to another" in empty.content.decode()


def test_the_onward_rate_never_passes_100_percent():
    today = timezone.localdate()
    first = ArticleFactory()
    DailyViewFactory(article=first, day=today, views=2, unique_readers=2)
    DailyPathFactory(from_article=first, readers=2)
    DailyPathFactory(from_article=first, readers=1)  # a reader who opened two articles
    onward = article_onward(period=Period(start=today, end=today), article_id=first.pk)
    assert (onward.readers, onward.went_on, onward.rate) == (2, 3, 100.0)
    unread = article_onward(period=Period(start=today, end=today), article_id=ArticleFactory().pk)
    assert unread.rate is None


@pytest.mark.parametrize("article", ["abc", "99999999", "-1", "1" * 30])
def test_a_bad_article_in_the_paths_export_is_404(client, owner, article):
    client.force_login(owner)
    response = client.get(reverse("statistics:export_paths"), {"article": article})
    assert response.status_code == 404


def test_reading_paths_are_for_owners_only(client, trail):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("statistics:export_paths")).status_code == 403
