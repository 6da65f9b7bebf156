"""A Redis cache whose failures are misses, not errors: the site keeps serving from PostgreSQL."""

from __future__ import annotations

import functools
import hashlib
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import NoScriptError, RedisError

logger = logging.getLogger(__name__)

# What a failed call returns instead (args are the call's, self first): reads miss, writes
# are dropped.
_FALLBACKS = {
    "get": lambda args, kwargs: kwargs.get("default", args[2] if len(args) > 2 else None),
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    "add": lambda args, kwargs: False,
    "set": lambda args, kwargs: None,
    "set_many": lambda args, kwargs: [],
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "delete_many": lambda args, kwargs: None,
    "clear": lambda args, kwargs: False,
    # A counter that cannot be read counts as zero: limits are lifted, never wrongly hit.
    "incr": lambda args, kwargs: 0,
    "count_in_window": lambda args, kwargs: 0,
}
_WARN_EVERY_SECONDS = 30.0


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django builds a new `redis.Redis` for every call; redis-py 8 fills some 170
    response callbacks in each one (about 0.1 ms, more than the round trip). One client per
    connection pool is safe: the pool hands each command its own connection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    # INCR creates a missing key at 1; its lifetime is set on that first count only. One
    # script: one command and one reply (a pipeline of INCR and EXPIRE costs a third more
    # here), and nothing can come between the two.
    _COUNT_IN_WINDOW = """
    local count = redis.call('INCR', KEYS[1])
    if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
    return count
    """

    _COUNT_DIGEST = hashlib.sha1(_COUNT_IN_WINDOW.encode()).hexdigest()

    def count_in_window(self, key, timeout):
        client = self.get_client(key, write=True)
        try:
            return client.evalsha(self._COUNT_DIGEST, 1, key, timeout)
        except NoScriptError:  # a restarted server: send the source (and so keep it) once
            return client.eval(self._COUNT_IN_WINDOW, 1, key, timeout)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, with short timeouts and a logged warning instead of a 500."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # A dead Redis must cost milliseconds per request, not the default wait.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
        self._last_warning = 0.0

    def count_in_window(self, key: str, timeout: int) -> int:
        """Add one to a counter that lives `timeout` seconds from its first count."""
        # make_key, not make_and_validate_key: the callers' keys are short and plain, and
        # the check walks every character of each (a tenth of this call's cost).
        return self._cache.count_in_window(self.make_key(key), int(timeout))

    def _warn(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY_SECONDS:
            self._last_warning = now
            logger.warning(
                "cache unavailable (%s failed: %s); serving without it", operation, error
            )


def _resilient(name: str):
    original = getattr(ResilientRedisCache, name)
    fallback = _FALLBACKS[name]

    @functools.wraps(original)
    def method(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            self._warn(name, error)
            return fallback((self, *args), kwargs)

    return method


for _name in _FALLBACKS:
    setattr(ResilientRedisCache, _name, _resilient(_name))
