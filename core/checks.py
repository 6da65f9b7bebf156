"""Deployment checks: a known or weak SECRET_KEY is an error, not Django's mere warning; an
obvious admin address is a warning; workers that cannot share the page cache are an error."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Warning

# The value shipped in .env.example: public, so anyone could sign sessions with it.
EXAMPLE_SECRET_KEY = (
    "replace-with-the-output-of-python3-c-import-secrets-print-secrets-token_urlsafe-64"
)
# Beginnings of keys that were written by hand, copied from an example or made for tests.
PLACEHOLDER_PREFIXES = (
    "replace-with",
    "changeme",
    "change-me",
    "django-insecure",
    "secret",
    "dev-",
    "test-",
)
# Django's own deployment check (security.W009) asks for the same, but only warns.
MIN_LENGTH = 50
MIN_DISTINCT_CHARACTERS = 5
HOW_TO_MAKE_ONE = "Make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(64))'"


def secret_key_problem(key: str) -> str:
    """Why `key` must not sign anything in production; empty when it will do."""
    if not key:
        return "SECRET_KEY is not set."
    if key == EXAMPLE_SECRET_KEY:
        return "SECRET_KEY is the example value from .env.example, which is public."
    if key.lower().startswith(PLACEHOLDER_PREFIXES):
        return "SECRET_KEY is a placeholder, not a random value."
    if len(key) < MIN_LENGTH or len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return (
            f"SECRET_KEY is too weak: it needs at least {MIN_LENGTH} characters, "
            f"{MIN_DISTINCT_CHARACTERS} of them different."
        )
    return ""


def secret_key_check(app_configs=None, **kwargs) -> list[Error]:
    problem = secret_key_problem(settings.SECRET_KEY)
    if not problem:
        return []
    return [Error(problem, hint=HOW_TO_MAKE_ONE, id="happyinnerself.E001")]


def admin_url_check(app_configs=None, **kwargs) -> list[Warning]:
    if settings.ADMIN_URL != "admin/":
        return []
    return [
        Warning(
            "ADMIN_URL is admin/, the first path every login-guessing robot tries.",
            hint="Set ADMIN_URL to a path of your own, e.g. office-<some random letters>/.",
            id="happyinnerself.W001",
        )
    ]


# Backends whose entries live in one server process: each worker would keep its own
# content version, so a change made through one worker would not reach the others.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


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
