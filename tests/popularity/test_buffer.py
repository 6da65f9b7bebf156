"""The Redis buffer (REDIS_URL): counts wait in Redis and reach PostgreSQL exactly once.

Needs a Redis server: REDIS_URL, or 127.0.0.1:6379. Skipped when none answers, except in
CI (CI=true), where a missing Redis is a failure.
"""

import threading
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.utils import timezone

from popularity.counting.flush import buffer_flush
from popularity.counting.record import view_record
from popularity.models import ArticleTotal, DailyAgentView, DailyView, FlushedBatch
from tests.factories import ArticleFactory
from tests.support.db import writes_fail

from .conftest import (
    BROWSER,
    OTHER_BROWSER,
    TWO_BROWSERS_COUNTED,
    agent_counts,
    now_within_one_day,
)


def counts(article):
    row = DailyView.objects.filter(article=article).first()
    return (row.views, row.unique_readers) if row else (0, 0)


@pytest.mark.django_db
def test_views_wait_in_redis_until_flushed(buffer):
    article = ArticleFactory()
    for n in range(5):
        assert view_record(article_id=article.pk, ip=f"198.51.100.{n}", user_agent=BROWSER)
    assert counts(article) == (0, 0)

    result = buffer_flush()

    assert (result.batches, result.views) == (1, 5)
    assert counts(article) == (5, 5)
    assert ArticleTotal.objects.get(article=article).views == 5
    assert buffer_flush().views == 0  # nothing twice
    assert counts(article) == (5, 5)


@pytest.mark.django_db
def test_the_counting_rule_holds_in_redis_too(buffer):
    article = ArticleFactory()
    counted = [
        view_record(article_id=article.pk, ip="198.51.100.1", user_agent=BROWSER) for _ in range(10)
    ]
    assert counted == [True] + [False] * 9
    buffer_flush()
    assert counts(article) == (1, 1)


@pytest.mark.django_db
def test_a_batch_written_before_a_crash_is_not_added_again(buffer):
    article = ArticleFactory()
    view_record(article_id=article.pk, ip="198.51.100.1", user_agent=BROWSER)
    buffer.seal()
    (batch,) = buffer.pending()
    FlushedBatch.objects.create(batch_id=batch.batch_id)  # written, then the flush died

    result = buffer_flush()

    assert (result.batches, result.skipped_batches) == (0, 1)
    assert counts(article) == (0, 0)
    assert agent_counts(article) == {}  # the browser counts were in that batch too
    assert buffer.pending() == []


@pytest.mark.django_db
@pytest.mark.parametrize("failing", [DailyView, DailyAgentView], ids=["views", "browsers"])
def test_a_failed_write_leaves_the_batch_for_the_next_flush(buffer, failing):
    article = ArticleFactory()
    view_record(article_id=article.pk, ip="198.51.100.1", user_agent=BROWSER)
    with writes_fail(failing._meta.db_table), pytest.raises(OperationalError):
        buffer_flush()
    assert len(buffer.pending()) == 1
    # Views and browser counts of a batch are written in one transaction, or neither is.
    assert (counts(article), DailyAgentView.objects.count()) == ((0, 0), 0)

    assert buffer_flush().views == 1
    assert (counts(article), agent_counts(article)) == ((1, 1), {BROWSER: 1})


@pytest.mark.django_db
def test_counts_of_a_deleted_article_are_dropped_not_failed(buffer):
    kept, deleted = ArticleFactory(), ArticleFactory()
    view_record(article_id=kept.pk, ip="198.51.100.1", user_agent=BROWSER)
    view_record(article_id=deleted.pk, ip="198.51.100.1", user_agent=BROWSER)
    deleted.delete()
    buffer_flush()
    assert counts(kept) == (1, 1)
    assert DailyView.objects.count() == 1


@pytest.mark.django_db
def test_when_redis_fails_views_go_straight_to_postgres(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    article = ArticleFactory()
    assert view_record(article_id=article.pk, ip="198.51.100.1", user_agent=BROWSER)
    assert counts(article) == (1, 1)
    assert agent_counts(article) == {BROWSER: 1}
    assert "counting in PostgreSQL" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_simultaneous_views_through_redis_are_counted_exactly(buffer):
    article = ArticleFactory()
    barrier = threading.Barrier(8)
    errors = []

    def worker(index):
        try:
            barrier.wait()
            for n in range(50):
                view_record(article_id=article.pk, ip=f"10.{index}.1.{n}", user_agent=BROWSER)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    # Flushing while views are still arriving must not lose any of them either.
    flushed_meanwhile = buffer_flush().views
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert flushed_meanwhile + buffer_flush().views == 400
    assert counts(article) == (400, 400)
    assert agent_counts(article) == {BROWSER: 400}


@pytest.mark.django_db
def test_flush_command_reports_what_it_wrote(buffer):
    article = ArticleFactory()
    view_record(article_id=article.pk, ip="198.51.100.1", user_agent=BROWSER)
    out = StringIO()
    call_command("popularity_flush", stdout=out)
    assert "flushed 1 view(s) in 1 batch(es)" in out.getvalue()


@pytest.mark.django_db
def test_flush_command_without_redis_says_there_is_nothing_to_do(settings):
    settings.REDIS_URL = ""
    out = StringIO()
    call_command("popularity_flush", stdout=out)
    assert "straight to PostgreSQL" in out.getvalue()


@pytest.mark.django_db
def test_flush_command_fails_loudly_when_redis_is_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(CommandError, match="nothing flushed"):
        call_command("popularity_flush", stdout=StringIO())


@pytest.mark.django_db
def test_views_per_browser_wait_in_redis_and_are_flushed_once(buffer, read_with_two_browsers):
    article = read_with_two_browsers()
    assert agent_counts(article) == {}

    buffer_flush()

    assert counts(article) == (3, 3)
    assert agent_counts(article) == TWO_BROWSERS_COUNTED
    buffer_flush()
    assert agent_counts(article) == TWO_BROWSERS_COUNTED


@pytest.mark.django_db
def test_any_user_agent_survives_the_buffer_exactly(buffer):
    article = ArticleFactory()
    # Separators of the buffer's own fields, and text that only looks like them.
    odd = ["x:1:2026-01-01:v", "agent:abc", "a:b:c:d", "Ünïcödé ☃ <b>"]
    for n, agent in enumerate([*odd, OTHER_BROWSER, OTHER_BROWSER]):
        view_record(article_id=article.pk, ip=f"198.51.100.{n}", user_agent=agent)
    buffer_flush()
    assert agent_counts(article) == {**dict.fromkeys(odd, 1), OTHER_BROWSER: 2}


# --- One counting rule, whichever path a view took ---------------------------------------

DOWN = "redis://127.0.0.1:1/0"  # nothing listens there: an outage, as the client sees it


def read_all(article, readers, *, agent=BROWSER):
    for n in range(readers):
        view_record(article_id=article.pk, ip=f"203.0.113.{n}", user_agent=agent)


@pytest.mark.django_db
@pytest.mark.parametrize("flushed_before_outage", [True, False])
def test_readers_before_and_during_an_outage_are_counted_once(
    buffer, settings, flushed_before_outage
):
    article = ArticleFactory()
    read_all(article, 100)  # through Redis
    if flushed_before_outage:
        buffer_flush()
    up = settings.REDIS_URL
    settings.REDIS_URL = DOWN
    read_all(article, 100)  # the same readers again, straight to PostgreSQL
    settings.REDIS_URL = up
    buffer_flush()

    assert counts(article) == (100, 100)
    assert ArticleTotal.objects.get(article=article).views == 100
    assert agent_counts(article) == {BROWSER: 100}


@pytest.mark.django_db
def test_readers_during_and_after_an_outage_are_counted_once(buffer, settings):
    article = ArticleFactory()
    up = settings.REDIS_URL
    settings.REDIS_URL = DOWN
    read_all(article, 100)
    settings.REDIS_URL = up
    read_all(article, 100)  # Redis has never seen them: PostgreSQL has
    result = buffer_flush()

    assert result.views == 0
    assert counts(article) == (100, 100)
    assert agent_counts(article) == {BROWSER: 100}


@pytest.mark.django_db
def test_readers_before_during_and_after_an_outage_are_counted_once_each(buffer, settings):
    article = ArticleFactory()
    up = settings.REDIS_URL
    read_all(article, 30)  # readers 0-29 through Redis, not flushed yet
    settings.REDIS_URL = DOWN
    read_all(article, 60)  # 0-59 during the outage: 30-59 are new
    settings.REDIS_URL = up
    read_all(article, 90)  # 0-89 after it: 60-89 are new
    buffer_flush()
    read_all(article, 90)  # and once more after the flush: nobody new
    buffer_flush()

    assert counts(article) == (90, 90)
    assert ArticleTotal.objects.get(article=article).views == 90


@pytest.mark.django_db
def test_a_reader_overruled_by_postgres_counts_again_when_the_rule_allows(buffer, settings):
    """PostgreSQL counted the reader during the outage; Redis let a reload through after it.
    Once flushed, Redis must not hold back the reader's next view that the rule allows."""
    settings.POPULARITY_REPEAT_VIEW_MINUTES = 30
    article = ArticleFactory()
    start = now_within_one_day(timedelta(minutes=60)) - timedelta(minutes=60)
    up = settings.REDIS_URL

    def view(minutes):
        return view_record(
            article_id=article.pk,
            ip="203.0.113.9",
            user_agent=BROWSER,
            now=start + timedelta(minutes=minutes),
        )

    settings.REDIS_URL = DOWN
    assert view(0)  # counted in PostgreSQL
    settings.REDIS_URL = up
    view(2)  # Redis has not seen the reader: let through, then overruled
    buffer_flush()
    view(60)  # an hour after the counted view: counts
    buffer_flush()

    assert counts(article) == (2, 1)


@pytest.mark.django_db
def test_a_batch_left_from_before_the_upgrade_is_still_written(buffer):
    """Batches sealed by the previous release hold sums, not views: none may be lost."""
    article = ArticleFactory()
    day = timezone.localdate().isoformat()
    agent = "agent-digest"
    buffer.client.hset(
        f"{buffer.prefix}:batch:{uuid.uuid4().hex}",
        mapping={
            f"{article.pk}:{day}:v": 7,
            f"{article.pk}:{day}:u": 5,
            f"{article.pk}:{day}:a:{agent}": 7,
            f"agent:{agent}": BROWSER,
        },
    )
    assert buffer_flush().views == 7
    assert counts(article) == (7, 5)
    assert agent_counts(article) == {BROWSER: 7}
