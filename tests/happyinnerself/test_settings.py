"""Settings behave as documented: production refuses an unsafe start, and passes --deploy."""

import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import Tags, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

ROOT = Path(settings.BASE_DIR)


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
        ADMIN_URL="office-k2x9q7/",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


HSTS_OF_A_PAGE = (
    "from django.test import Client; "
    "print(Client().get('/healthz', secure=True)['Strict-Transport-Security'])"
)


@pytest.mark.parametrize(
    ("value", "header"),
    [
        ("", "max-age=31536000; includeSubDomains"),
        ("1", "max-age=31536000; includeSubDomains; preload"),
    ],
)
def test_hsts_preload_is_the_owners_choice_and_off_by_default(value, header):
    production = {
        "DJANGO_SETTINGS_MODULE": "happyinnerself.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_HSTS_PRELOAD": value,
    }
    shown = manage("shell", "--no-imports", "-c", HSTS_OF_A_PAGE, **production)
    assert shown.stdout.strip() == header, shown.stderr
    # Either way the deployment checklist passes: off is a choice, not an oversight.
    checked = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production,
        CACHE_URL="redis://127.0.0.1:6379/0",
        ADMIN_URL="office-k2x9q7/",
    )
    assert checked.returncode == 0, checked.stderr


def env_example(name: str) -> str:
    text = (ROOT / ".env.example").read_text()
    return re.search(rf"^{name}=(.*)$", text, re.M).group(1).strip()


@pytest.mark.parametrize("secret", [env_example("SECRET_KEY"), "x" * 30 + "yz" * 20])
def test_production_refuses_the_example_key_and_keys_of_few_characters(secret):
    assert len(secret) >= 50  # long enough for the old rule: refused for what it is
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="happyinnerself.settings.production", SECRET_KEY=secret
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr and "happyinnerself.E001" in result.stderr
    assert "secrets.token_urlsafe(64)" in result.stderr


def test_production_settings_load_with_the_image_builds_throwaway_key():
    # The Dockerfile's collectstatic step loads the production settings with this key.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert (
        "SECRET_KEY=\"build-only-$(python -c 'import secrets; print(secrets.token_hex(32))')\""
        in (dockerfile)
    )
    result = manage(
        "check",
        DJANGO_SETTINGS_MODULE="happyinnerself.settings.production",
        SECRET_KEY=f"build-only-{secrets.token_hex(32)}",
        DATABASE_URL="postgres://build@localhost/build",
    )
    assert result.returncode == 0, result.stderr


PLACEHOLDERS = [
    env_example("SECRET_KEY"),
    "replace-with-a-long-random-string-of-letters-and-numbers-0123456789",
    "changeme-changeme-changeme-changeme-changeme-changeme-0123456789",
    "django-insecure-(3x$k7w!q9z@h2m#n5v^b8c&d1f*g4j0l6p-r+s=t_u)y",
    "secret-key-for-our-blog-that-nobody-will-ever-guess-0123456789ab",
    "test-only-secret-key-not-for-production-use-0123456789",
    "Kq3x9ZpL2mW7vB4n",  # random-looking, but far too short
    "ab" * 40,  # long, but two characters
]


@pytest.mark.parametrize("secret", PLACEHOLDERS)
def test_the_deployment_check_reports_a_known_or_weak_key_as_an_error(secret, settings):
    settings.SECRET_KEY = secret
    with pytest.raises(SystemCheckError) as refused:
        call_command("check", deploy=True, stdout=StringIO(), stderr=StringIO())
    assert "happyinnerself.E001" in str(refused.value)
    assert "secrets.token_urlsafe(64)" in str(refused.value)


def test_the_deployment_check_passes_a_random_key(settings):
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    settings.ADMIN_URL = "office-k2x9q7/"
    errors = run_checks(include_deployment_checks=True, tags=[Tags.security])
    assert [e.id for e in errors if e.id.startswith("happyinnerself.")] == []


def test_production_settings_warn_about_the_guessable_admin_path():
    result = manage(
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="happyinnerself.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="happyinnerself.example",
        ADMIN_URL="admin/",
        CACHE_URL="redis://127.0.0.1:6379/0",
    )
    # A warning, not a refusal: it is shown on every deployment, and the login is guarded.
    assert result.returncode == 0, result.stderr
    assert "happyinnerself.W001" in result.stderr + result.stdout


def test_the_example_admin_path_is_not_admin_and_the_docs_say_to_choose_one():
    admin_url = env_example("ADMIN_URL")
    assert admin_url.strip("/") != "admin" and len(admin_url.strip("/")) >= 12
    assert "choose your own" in (ROOT / ".env.example").read_text()


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


def test_email_url_names_the_mail_server_and_its_login():
    from happyinnerself.settings.base import email_from_url

    smtp = email_from_url("smtp://mailer%40example.org:p%3Ass@mail.example.net:2525/?tls=1")
    assert smtp == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.net",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "mailer@example.org",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }
    ssl = email_from_url("smtps://mail.example.net")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"]) == (465, True, False)
    plain = email_from_url("smtp://localhost")
    assert (plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"], plain["EMAIL_HOST_USER"]) == (
        587,
        False,
        "",
    )
    assert email_from_url("console://")["EMAIL_BACKEND"].endswith(".console.EmailBackend")
    assert email_from_url("file:///var/mail/out")["EMAIL_FILE_PATH"] == "/var/mail/out"


@pytest.mark.parametrize("url", ["smtp://", "mailto:owner@example.org", "ftp://host", "file://x"])
def test_an_email_url_that_cannot_work_stops_the_start(url):
    from django.core.exceptions import ImproperlyConfigured

    from happyinnerself.settings.base import email_from_url

    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_from_url(url)


def test_without_email_url_the_older_email_variables_still_work():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)",
        EMAIL_HOST="smtp.example.net",
        EMAIL_PORT="2587",
    )
    assert result.stdout.splitlines()[-1].split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.net",
        "2587",
        "True",
    ]
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST_USER)",
        EMAIL_HOST="ignored.example.net",
        EMAIL_URL="smtp://ana@mail.example.org:25/",
    )
    assert result.stdout.splitlines()[-1].split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "ana",
    ]
