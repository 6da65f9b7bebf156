import uuid
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes uploads to its own folder, never to the developer's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def commit_callbacks(django_capture_on_commit_callbacks):
    """Run on-commit work (search vector, reading time) as a real commit would."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _empty_cache():
    """The locmem cache lives as long as the process: start every test with it empty."""
    from django.core.cache import caches

    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture(autouse=True)
def _rankings_clock_mid_period(monkeypatch, settings):
    """Pages with Popular Posts carry the rankings' five-minute period in their ETag, so a
    test whose two requests straddled a period's end saw two ETags (it happened in CI). The
    rankings' clock stands in the middle of the current period; tests of the period's turn
    move it themselves."""
    import time
    from types import SimpleNamespace

    import popularity.rankings

    period = settings.POPULARITY_RANKING_CACHE_SECONDS
    middle = (time.time() // period) * period + period / 2
    monkeypatch.setattr(popularity.rankings, "time", SimpleNamespace(time=lambda: middle))


# The two real roles, as `manage.py setup_roles` makes them.
@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=StringIO())


@pytest.fixture
def editor(roles):
    user = UserFactory(username="eddie", is_staff=True, first_name="Eddie")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def owner(roles):
    user = UserFactory(username="olive", is_staff=True)
    user.groups.add(Group.objects.get(name="Site owners"))
    return user


@pytest.fixture
def redis_cache(settings):
    """The default cache on the Redis this kind of machine runs (database 13), under a key
    prefix of this test's own: parallel workers and other runs share that database."""
    from django.core.cache import cache

    from tests.support.redis import redis_required

    raw = redis_required("redis://127.0.0.1:6379/13")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": prefix,
        }
    }
    yield cache
    for key in raw.scan_iter(f"{prefix}:*"):
        raw.delete(key)
