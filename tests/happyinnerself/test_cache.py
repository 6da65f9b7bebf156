"""With Redis gone, the site serves from PostgreSQL and says so in the log."""

import logging

import pytest
from django.core.cache import cache

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "happyinnerself.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}


def test_pages_are_served_when_the_cache_server_is_down(client, settings, caplog):
    settings.CACHES = DEAD_REDIS
    article = ArticleFactory(title="Still readable")
    with caplog.at_level(logging.WARNING, logger="happyinnerself.cache"):
        home = client.get("/")
        page = client.get(article.get_absolute_url())
    assert home.status_code == 200 and "Still readable" in home.content.decode()
    assert page.status_code == 200 and "Still readable" in page.content.decode()
    assert "cache unavailable" in caplog.text


def test_a_dead_cache_reads_as_misses_and_drops_writes(settings):
    settings.CACHES = DEAD_REDIS
    assert cache.get("anything", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is False
    cache.set("k", 1)  # no error
    assert cache.get_or_set("k", 5) == 5


def test_a_live_redis_still_works(redis_cache):
    redis_cache.set("resilient-test", "kept", 5)
    assert redis_cache.get("resilient-test") == "kept"
