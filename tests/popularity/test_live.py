""" "Right now": readers of the last 5 and 30 minutes per article, from Redis or PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from popularity.counting.flush import buffer_flush
from popularity.counting.origin import Origin
from popularity.counting.record import view_record
from popularity.live import live_now
from tests.factories import ArticleFactory

from .conftest import BROWSER, now_within_one_day

pytestmark = pytest.mark.django_db


def readers(now, quiet, busy):
    """Two readers of `busy` 20 minutes ago, one of them back now, one of `quiet` now."""
    ago = now - timedelta(minutes=20)
    view_record(article_id=busy.pk, ip="198.51.100.1", user_agent=BROWSER, now=ago)
    view_record(article_id=busy.pk, ip="198.51.100.2", user_agent=BROWSER, now=ago)
    view_record(
        article_id=busy.pk, ip="198.51.100.1", user_agent=BROWSER, now=now - timedelta(minutes=1)
    )
    view_record(
        article_id=quiet.pk,
        ip="198.51.100.3",
        user_agent=BROWSER,
        origin=Origin(source="Reddit"),
        now=now,
    )
    view_record(  # an hour ago: gone from the panel
        article_id=quiet.pk, ip="198.51.100.4", user_agent=BROWSER, now=now - timedelta(hours=1)
    )


def test_right_now_from_redis_counts_readers_not_views(buffer):
    now = now_within_one_day(timedelta(minutes=30)).replace(second=30)
    quiet, busy = ArticleFactory(title="Quiet"), ArticleFactory(title="Busy")
    readers(now, quiet, busy)
    live = live_now(now=now)
    # Redis sees the reload of reader 1 too: still one reader.
    assert [(a.title, a.readers_5, a.readers_30) for a in live.articles] == [
        ("Busy", 1, 2),
        ("Quiet", 1, 1),
    ]
    assert (live.readers_5, live.readers_30) == (2, 3)
    assert dict(live.sources) == {"Direct / none": 2, "Reddit": 1}


def test_right_now_without_redis_reads_todays_seen_set():
    now = now_within_one_day(timedelta(hours=1))  # the hour-old view on the same date
    quiet, busy = ArticleFactory(title="Quiet"), ArticleFactory(title="Busy")
    readers(now, quiet, busy)
    live = live_now(now=now)
    # Reader 1 came back within 30 minutes: not counted again, so seen 20 minutes ago.
    assert [(a.title, a.readers_5, a.readers_30) for a in live.articles] == [
        ("Busy", 0, 2),
        ("Quiet", 1, 1),
    ]
    # Each reader of the last 30 minutes under the source of their latest counted view.
    assert live.sources == [("Direct / none", 2), ("Reddit", 1)]


def test_right_now_falls_back_to_postgresql_when_redis_fails(buffer, settings):
    now = timezone.now()
    article = ArticleFactory()
    view_record(article_id=article.pk, ip="198.51.100.1", user_agent=BROWSER, now=now)
    buffer_flush()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert [a.readers_30 for a in live_now(now=now).articles] == [1]


def test_the_flush_keeps_each_readers_latest_source_for_right_now(buffer, settings):
    """Through Redis and its flush, the seen-set gets the source of the reader's latest
    counted view, so the panel still has sources when Redis is gone later."""
    settings.POPULARITY_REPEAT_VIEW_MINUTES = 0
    now = timezone.now()
    article = ArticleFactory()
    for source in ("Google", "Reddit"):
        view_record(
            article_id=article.pk,
            ip="198.51.100.1",
            user_agent=BROWSER,
            origin=Origin(source=source),
            now=now,
        )
    buffer_flush()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert live_now(now=now).sources == [("Reddit", 1)]
