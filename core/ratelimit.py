"""Per-client request limits for expensive public endpoints (search, public POSTs)."""

from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template import loader

from .client import client_ip


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/60" → 30 requests per 60 seconds."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def over_limit(request, *, scope: str, rate: str) -> int:
    """Counts this request; returns the seconds to wait when the client is over its limit."""
    limit, window = parse_rate(rate)
    now = time.time()
    bucket = int(now // window)
    # A hash, not the address: nothing in the cache says who searched.
    who = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()[:24]
    key = f"ratelimit:{scope}:{bucket}:{who}"
    count = count_in_window(key, window + 1)
    if count <= limit:
        return 0
    return max(1, int((bucket + 1) * window - now))


def count_in_window(key: str, timeout: int) -> int:
    """Add one to the shared counter `key`, which lives `timeout` seconds from its first
    count. A cache that cannot answer (Redis down) counts 0: limits are lifted, never
    wrongly hit. One cache call for every request but a window's first (which adds the
    counter): a search asked again is otherwise a cache read or two."""
    try:
        return cache.incr(key) or 0
    except ValueError:  # the window's first request (or the counter just expired)
        if cache.add(key, 1, timeout):
            return 1
    try:
        return cache.incr(key) or 0  # another worker added it in between
    except ValueError:
        return 1


def too_many_requests(request, retry_after: int) -> HttpResponse:
    body = loader.get_template("429.html").render({"retry_after": retry_after}, request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def rate_limit(scope: str, *, setting: str):
    """Decorate a view: over `settings.<setting>` ("N/seconds") per client, answer 429."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            wait = over_limit(request, scope=scope, rate=getattr(settings, setting))
            if wait:
                return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
