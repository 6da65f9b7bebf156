"""A Redis cache whose failures are misses, not errors: the site keeps serving from PostgreSQL."""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

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
}
_WARN_EVERY_SECONDS = 30.0


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, with short timeouts and a logged warning instead of a 500."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # A dead Redis must cost milliseconds per request, not the default wait.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._last_warning = 0.0

    def _warn(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY_SECONDS:
            self._last_warning = now
            logger.warning(
                "cache unavailable (%s failed: %s); serving without it", operation, error
            )


def _resilient(name: str):
    original = getattr(RedisCache, name)
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
