"""Search is limited per client: a flood gets a calm 429, other readers are unaffected."""

from types import SimpleNamespace

import pytest
from django_redis import get_redis_connection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_window(monkeypatch):
    """Each limit counts per fixed window (a minute); a test whose requests straddled a
    window's end would see its counter start again. The clock stands mid-window."""
    start = 1_800_000_000  # a multiple of every window used here
    monkeypatch.setattr("core.ratelimit.time", SimpleNamespace(time=lambda: start + 20.0))


def search(client, ip: str, **extra):
    return client.get("/search/", {"q": "calm"}, REMOTE_ADDR=ip, **extra)


def test_a_client_over_the_limit_gets_429_with_retry_after(client, settings):
    settings.SEARCH_RATE_LIMIT = "3/60"
    for _ in range(3):
        assert search(client, "203.0.113.5").status_code == 200
    refused = search(client, "203.0.113.5")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert "Slow down a little" in refused.content.decode()
    # Another reader searches as usual.
    assert search(client, "198.51.100.7").status_code == 200


def test_the_limit_follows_the_real_client_behind_a_trusted_proxy(client, settings):
    settings.SEARCH_RATE_LIMIT = "2/60"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for reader in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        response = search(client, proxy, HTTP_X_FORWARDED_FOR=reader)
        assert response.status_code == 200, reader
    # A client cannot dodge the limit by writing its own X-Forwarded-For entries.
    for spoof in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        last = search(client, proxy, HTTP_X_FORWARDED_FOR=f"{spoof}, 203.0.113.9")
    assert last.status_code == 429


def test_other_pages_are_not_limited(client, settings):
    settings.SEARCH_RATE_LIMIT = "1/60"
    for _ in range(5):
        assert client.get("/", REMOTE_ADDR="203.0.113.5").status_code == 200


def test_the_limit_holds_with_redis_and_its_counters_expire(client, settings, redis_cache):
    settings.SEARCH_RATE_LIMIT = "2/60"
    assert [search(client, "203.0.113.8").status_code for _ in range(3)] == [200, 200, 429]
    assert search(client, "198.51.100.9").status_code == 200
    # Each counter lives one window (plus a second), set on its first count only.
    raw = get_redis_connection("default")
    keys = raw.keys(f"{settings.CACHES['default']['KEY_PREFIX']}:*ratelimit:search:*")
    assert len(keys) == 2
    assert all(0 < raw.ttl(key) <= 61 for key in keys)
