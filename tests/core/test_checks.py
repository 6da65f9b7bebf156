"""A deployment whose workers cannot share the content version is refused by the checks."""

import pytest
from django.core.checks import run_checks


@pytest.mark.parametrize(
    ("workers", "cache_url", "refused"),
    [
        ("3", "locmem://", True),
        ("3", "dummy://", True),
        ("1", "locmem://", False),
        ("3", "redis://127.0.0.1:6379/0", False),
    ],
)
def test_several_workers_need_a_shared_cache(settings, monkeypatch, workers, cache_url, refused):
    from happyinnerself.settings.base import cache_from_url

    monkeypatch.setenv("WEB_CONCURRENCY", workers)
    settings.CACHES = {"default": cache_from_url(cache_url)}
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert ("articles.E001" in ids) is refused
