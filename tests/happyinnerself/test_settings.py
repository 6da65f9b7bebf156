"""Settings behave as documented: production refuses an unsafe start, and passes --deploy."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deployment check.
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("secret", ["", "short", "dev-only-insecure-key-never-used-in-production"])
def test_production_refuses_a_missing_or_weak_secret(secret):
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="happyinnerself.settings.production", SECRET_KEY=secret
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="happyinnerself.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="happyinnerself.example",
        CACHE_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_missing_database_url_is_explained_not_a_traceback_into_sqlite():
    result = manage("check", DJANGO_SETTINGS_MODULE="happyinnerself.settings.dev", DATABASE_URL="")
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_a_non_postgres_database_url_is_refused():
    result = manage(
        "check",
        DJANGO_SETTINGS_MODULE="happyinnerself.settings.dev",
        DATABASE_URL="sqlite:///db.sqlite3",
    )
    assert result.returncode != 0
    assert "must point at PostgreSQL" in result.stderr
