"""Deployment mistakes that would make readers see stale or inconsistent pages."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, register

# Backends whose entries live in one server process: each worker would keep its own
# content version, so a change made through one worker would not reach the others.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(deploy=True)
def shared_cache_for_workers(app_configs=None, **kwargs) -> list[Error]:
    workers = int(os.environ.get("WEB_CONCURRENCY", "3") or 1)
    backend = settings.CACHES["default"]["BACKEND"]
    if workers > 1 and backend in PER_PROCESS_CACHES:
        return [
            Error(
                f"The default cache ({backend.rsplit('.', 1)[-1]}) is per process, and "
                f"WEB_CONCURRENCY runs {workers} workers.",
                hint="Set CACHE_URL to a Redis server (redis://host:6379/0) shared by every "
                "worker, or run one worker (WEB_CONCURRENCY=1).",
                id="articles.E001",
            )
        ]
    return []
