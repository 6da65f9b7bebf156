"""Many simultaneous views of one article, on real PostgreSQL connections, lose nothing."""

import threading

import pytest
from django.db import connection

from popularity.counting.record import view_record
from popularity.models import ArticleTotal, DailyView
from tests.factories import ArticleFactory

from .conftest import BROWSER, agent_counts

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
VIEWS_PER_THREAD = 25


def run_at_once(work) -> list:
    """Start every thread behind a barrier so they hit the database together."""
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results.extend(work(index))
        except Exception as error:  # reported below, never swallowed
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_simultaneous_readers_are_all_counted_exactly():
    article = ArticleFactory()

    def work(index):
        return [
            view_record(article_id=article.pk, ip=f"10.{index}.0.{n}", user_agent=BROWSER)
            for n in range(VIEWS_PER_THREAD)
        ]

    sent = run_at_once(work)
    assert len(sent) == THREADS * VIEWS_PER_THREAD and all(sent)
    row = DailyView.objects.get(article=article)
    assert (row.views, row.unique_readers) == (THREADS * VIEWS_PER_THREAD,) * 2
    assert ArticleTotal.objects.get(article=article).views == THREADS * VIEWS_PER_THREAD
    assert agent_counts(article) == {BROWSER: THREADS * VIEWS_PER_THREAD}


def test_one_reader_hammering_reload_at_once_counts_once():
    article = ArticleFactory()

    def work(index):
        return [
            view_record(article_id=article.pk, ip="10.9.9.9", user_agent=BROWSER) for _ in range(5)
        ]

    counted = run_at_once(work)
    assert counted.count(True) == 1
    row = DailyView.objects.get(article=article)
    assert (row.views, row.unique_readers) == (1, 1)
    assert agent_counts(article) == {BROWSER: 1}
