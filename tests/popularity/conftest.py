import os
import uuid
from datetime import datetime, timedelta

import pytest
import redis
from django.utils import timezone

from popularity.counting.buffer import get_buffer
from popularity.models import DailyAgentView
from tests.factories import ArticleFactory
from tests.support.redis import redis_required

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
OTHER_BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0"
)


def now_within_one_day(span: timedelta) -> datetime:
    """Now, or just before midnight when `span` before now would be yesterday: readers are
    told apart by a salt of the day, so a test whose reader comes back within `span` must
    not see that reader as two because the suite ran just after midnight."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return now if now - span >= midnight else midnight - timedelta(seconds=1)


@pytest.fixture
def read(client):
    """GET a page as a reader's browser would (a real user agent, an address)."""

    def get(path, *, ip="198.51.100.7", agent=BROWSER, **headers):
        return client.get(path, HTTP_USER_AGENT=agent, REMOTE_ADDR=ip, **headers)

    return get


def agent_counts(article) -> dict[str, int]:
    """{user agent: views} of the article, all days together."""
    return dict(DailyAgentView.objects.filter(article=article).values_list("agent", "views"))


@pytest.fixture
def read_with_two_browsers(read):
    """Open one article four times: two readers with BROWSER (one reloads at once, which
    does not count), one with OTHER_BROWSER. What they must leave is TWO_BROWSERS_COUNTED."""

    def run():
        article = ArticleFactory()
        url = article.get_absolute_url()
        read(url, ip="198.51.100.1")
        read(url, ip="198.51.100.1")  # a reload within POPULARITY_REPEAT_VIEW_MINUTES
        read(url, ip="198.51.100.2")
        read(url, ip="198.51.100.3", agent=OTHER_BROWSER)
        return article

    return run


TWO_BROWSERS_COUNTED = {BROWSER: 2, OTHER_BROWSER: 1}


@pytest.fixture
def buffer(settings):
    redis_required(REDIS_URL)
    # A prefix of its own: other test runs may share this Redis server.
    settings.REDIS_URL = REDIS_URL
    settings.POPULARITY_REDIS_PREFIX = f"test-popularity-{uuid.uuid4().hex}"
    buffer = get_buffer()
    yield buffer
    keys = list(buffer.client.scan_iter(match=f"{settings.POPULARITY_REDIS_PREFIX}:*"))
    if keys:
        buffer.client.delete(*keys)


@pytest.fixture
def redis_replies(monkeypatch):
    """Start counting Redis round trips (a pipeline or a script is one): a list that grows
    by one with each reply read from any Redis connection."""

    def start() -> list[int]:
        replies: list[int] = []
        original = redis.connection.Connection.read_response

        def counted(self, *args, **kwargs):
            replies.append(1)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(redis.connection.Connection, "read_response", counted)
        return replies

    return start
