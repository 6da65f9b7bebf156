"""1,100 odd requests against the production stack: every one gets a clear answer (a 4xx,
a redirect or a page), never a 5xx, and the site still serves readers afterwards."""

import collections

import pytest
import redis

from tests.support.redis import redis_required
from tests.support.stack import stack_start, stack_stop
from tests.support.storm import storm_requests, storm_send

REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture(scope="module")
def stack():
    redis_required(REDIS).flushdb()
    running = stack_start(
        "storm",
        CACHE_URL=REDIS,
        REDIS_URL=REDIS,
        POPULARITY_REDIS_PREFIX="storm",
        # The widget most likely to meet huge numbers: every page then shows a ranking.
        POPULARITY_WIDGET_WINDOW="trending",
    )
    yield running
    stack_stop(running)
    redis.Redis.from_url(REDIS).flushdb()


def test_a_storm_of_odd_requests_gets_no_5xx(stack):
    # A popular article first: the trending weight once overflowed at 2,148 views a day.
    stack.sql(
        "prod",
        "INSERT INTO popularity_dailyview (article_id, day, views, unique_readers) "
        "SELECT id, current_date, 10000000, 9000000 FROM articles_article "
        "ON CONFLICT (article_id, day) DO UPDATE SET views = EXCLUDED.views",
    )
    requests = storm_requests(host="127.0.0.1")
    assert len(requests) == 1100
    statuses = storm_send(stack.port, requests)
    counts = collections.Counter(statuses)
    failed = [raw[:300] for raw, s in zip(requests, statuses, strict=True) if s is None or s >= 500]
    errors = [line[:600] for line in stack.logs().splitlines() if '"ERROR"' in line]
    assert not failed, (counts, failed, errors[:3])
    assert counts[400] > 0 and counts[404] > 0  # the storm did reach both kinds of refusal
    assert "Traceback" not in stack.logs()
    for path in ("/", "/articles/face-twitching-mystery/", "/popular/", "/tags/stress/"):
        assert stack.get(path).status == 200, path
    # The storm came from one address: its searches are slowed, as any client's would be.
    # The limit counts per fixed window (30 a minute), and a slow machine's storm may span
    # two: within one more window's worth of searches the address must be refused.
    statuses = [stack.get("/search/?q=stress").status for _ in range(31)]
    assert 429 in statuses, collections.Counter(statuses)
