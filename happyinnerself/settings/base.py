"""Settings shared by every environment. Everything that differs comes from the environment,
read through the env_* helpers below, in sections: the site, database, caches, security,
static and media, email, logging, then one per app (ARTICLES_*, POPULARITY_*)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django_prose_editor.config import html_tags
from js_asset import static_lazy

from core.observability import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# An unset or empty variable means the default, whatever its type.
def env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# -- the site ---------------------------------------------------------------------------------
SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
SITE_NAME = "Happy Inner Self"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "csp",
    "articles.apps.TopicsConfig",  # django-taggit, shown as "Topics" in the admin
    "django_prose_editor",  # the rich-text editor for section bodies (ships its own JS)
    "reversion",  # a revision of the article, its sections and tags on every admin save
    "reversion_compare",  # compare two revisions in the admin history
    "axes",  # login lockout after repeated failures
    # The project's apps; each may import only those below it (pyproject.toml's contracts).
    "core",
    "articles",
    "popularity",
]

MIDDLEWARE = [
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.security.ContentSecurityPolicyMiddleware",
    "core.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.db_router.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "popularity.middleware.ViewCountingMiddleware",
    "popularity.search_middleware.SearchCountingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.errors.DatabaseUnavailableMiddleware",
    # Sets the known-device cookie on a successful sign-in; before axes.
    "core.login.KnownDeviceMiddleware",
    # django-axes turns its lockout signal into the lockout page; it must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "happyinnerself.urls"
WSGI_APPLICATION = "happyinnerself.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.page_extensions",
            ],
        },
    },
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True


# -- database ---------------------------------------------------------------------------------
def database_from_env() -> dict:
    url = env_str("DATABASE_URL", "")
    if not url:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Use ./scripts/run or ./scripts/test, which start a "
            "private PostgreSQL, or point DATABASE_URL at a PostgreSQL server."
        )
    config = dj_database_url.parse(
        url,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        # Checked before reuse, so the site recovers by itself after a database restart.
        conn_health_checks=True,
    )
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
    return config


def replica_from_env(url: str) -> dict:
    config = dj_database_url.parse(
        url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    # Tests never create a second database for it; in production it is a streaming replica.
    config["TEST"] = {"MIRROR": "default"}
    return config


DATABASES = {"default": database_from_env()}
# Public reads may go to a read replica (core/db_router.py); writes never do.
if replica_url := env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = replica_from_env(replica_url)
DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# -- caches -----------------------------------------------------------------------------------
def cache_from_url(url: str) -> dict:
    """CACHE_URL → a CACHES entry: redis://, rediss://, unix://, file:///path, locmem://, dummy://."""
    scheme, _, rest = url.partition("://")
    if scheme in {"redis", "rediss", "unix"}:
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                # A slow or dead Redis must not hold a page up: its failures are misses
                # (DJANGO_REDIS_IGNORE_EXCEPTIONS below), decided within a quarter second.
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
            },
        }
    if scheme == "file" and rest.startswith("/"):
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": rest}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL {url!r}: use redis://, file:///path, locmem:// or dummy://"
    )


# Several server processes need a shared cache (Redis, or files on one machine) so that a
# change made through one of them is seen by all; the in-process default is per process.
# "local": a small in-process copy of values that never change once made (the day's
# counting salt), so counting a view stays one Redis call; bounded, and reread from
# PostgreSQL when gone.
LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "local",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 16},
}
# "pages": each worker's copies of the public pages read most, beside the shared cache
# (articles.cache). A page is kept under its ETag, which names its bytes, so a copy is never
# stale. Bounded: at most 200 pages (about 5 MB of 24 KB pages) a worker.
PAGES_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 200},
}
CACHES = {
    "default": cache_from_url(env_str("CACHE_URL", "locmem://happyinnerself")),
    "local": LOCAL_CACHE,
    "pages": PAGES_CACHE,
}
# While Redis is down the cache reads as empty and drops writes: pages are served uncached.
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# A Redis server buffers view counts when set; `manage.py popularity_flush` moves them into
# PostgreSQL. Unset: every counted view is written straight to PostgreSQL.
REDIS_URL = env_str("REDIS_URL", "")


# -- security ---------------------------------------------------------------------------------
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where the admin lives; a less obvious path keeps drive-by login attempts down.
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, the header
# is ignored and REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Security headers on every response (production adds HSTS and secure cookies).
# Scripts only from this site, or inline with the per-response nonce: no unsafe-inline/eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "core.login.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair out for 15 minutes.
# The lockout page is the same whether the username exists or not (no user enumeration).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The reader's own address behind the proxies named by TRUSTED_PROXY_COUNT, as everywhere.
AXES_CLIENT_IP_CALLABLE = "core.client.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.login.lockout_response"
AXES_VERBOSE = False
# Per-account login throttle (core/login.py): after LOGIN_THROTTLE_FAILURES wrong passwords
# for one username within the window, from any addresses, that account waits
# LOGIN_THROTTLE_FIRST_DELAY_SECONDS before its next password is checked, doubling with each
# further failure up to LOGIN_THROTTLE_MAX_DELAY_SECONDS. A browser that signed in to the
# account within LOGIN_KNOWN_DEVICE_DAYS is never held back. Counters live in the cache.
LOGIN_THROTTLE_FAILURES = env_int("LOGIN_THROTTLE_FAILURES", 10)
LOGIN_THROTTLE_WINDOW_MINUTES = env_int("LOGIN_THROTTLE_WINDOW_MINUTES", 15)
LOGIN_THROTTLE_FIRST_DELAY_SECONDS = 5
LOGIN_THROTTLE_MAX_DELAY_SECONDS = env_int("LOGIN_THROTTLE_MAX_DELAY_SECONDS", 60)
LOGIN_KNOWN_DEVICE_DAYS = 180

# Uploads above this are refused before they reach a view (images are capped at 10 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440


# -- static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Let Django serve uploaded media (development and browser tests; production uses a proxy).
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)
# The section editor's own extensions (articles/admin/sections.py): typing "1. " starts a
# numbered list, which django-prose-editor's OrderedList leaves out (it adds no tags); and
# citations of the article's sources (articles.references).
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("articles/admin/prose-shortcuts.js")],
        "extensions": {"NumberedListShortcut": html_tags([])},
    },
    # Its "Cite" button: a marker naming one of the article's sources by its key.
    {
        "js": [static_lazy("articles/admin/prose-citations.js")],
        "extensions": {"Citation": html_tags(["cite"], {"cite": ["data-source"]})},
    },
]


# -- email ------------------------------------------------------------------------------------
def email_from_url(url: str) -> dict:
    """EMAIL_URL → the EMAIL_* settings: smtp://user:password@host:587/?tls=1 (or ?ssl=1;
    smtps:// is SMTP over TLS from the start, port 465), console://, locmem://, dummy://,
    file:///path. The user and password are percent-encoded ("@" is %40)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)

    def flag(name: str) -> bool:
        return query.get(name, [""])[-1].strip().lower() in {"1", "true", "yes", "on"}

    backends = "django.core.mail.backends"
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"EMAIL_URL {parts.scheme}:// needs a host")
        ssl = parts.scheme == "smtps" or flag("ssl")
        return {
            "EMAIL_BACKEND": f"{backends}.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or (465 if ssl else 587),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": ssl,
            "EMAIL_USE_TLS": not ssl and flag("tls"),
        }
    simple = {"console": "console", "locmem": "locmem", "dummy": "dummy"}
    if parts.scheme in simple:
        return {"EMAIL_BACKEND": f"{backends}.{simple[parts.scheme]}.EmailBackend"}
    if parts.scheme == "file" and parts.path.startswith("/"):
        return {
            "EMAIL_BACKEND": f"{backends}.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL with {parts.scheme or 'no'} scheme: use smtp://, smtps://, console://, "
        "locmem://, dummy:// or file:///path"
    )


# The site mails its editors (review before publishing: articles.review) and its owners
# (the weekly digest: popularity.digest); errors go to the logs below, and no one resets a
# password by e-mail. EMAIL_URL says where mail goes; without it the older EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS are read, and with
# neither mail is written to the log output (the console backend).
def email_from_env() -> dict:
    if url := env_str("EMAIL_URL", ""):
        return email_from_url(url)
    host = env_str("EMAIL_HOST", "")
    return {
        "EMAIL_BACKEND": env_str(
            "EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if host
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "EMAIL_HOST": host,
        "EMAIL_PORT": env_int("EMAIL_PORT", 587),
        "EMAIL_HOST_USER": env_str("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env_str("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", True),
    }


email_settings = email_from_env()
EMAIL_BACKEND = email_settings["EMAIL_BACKEND"]
EMAIL_HOST = email_settings.get("EMAIL_HOST", "localhost")
EMAIL_PORT = email_settings.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = email_settings.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = email_settings.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = email_settings.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = email_settings.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = email_settings.get("EMAIL_FILE_PATH")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Happy Inner Self <editors@localhost>")
# The site's address as readers reach it, for links in e-mails (no request to take it from):
# by default https:// and the domain the proxy serves (SITE_DOMAIN).
SITE_URL = env_str(
    "SITE_URL",
    f"https://{os.environ['SITE_DOMAIN']}"
    if os.environ.get("SITE_DOMAIN")
    else "http://localhost:8000",
)


# -- logging ----------------------------------------------------------------------------------
# One line per record; JSON (for log collectors) when LOG_JSON is on, as in production.
LOGGING = logging_config(json_lines=env_bool("LOG_JSON", False), level=env_str("LOG_LEVEL", "INFO"))


# -- articles ---------------------------------------------------------------------------------
TAGGIT_CASE_INSENSITIVE = True
ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 10)
# Reading speed behind the "N min read" figure.
READING_WORDS_PER_MINUTE = 230
# Which errors of the checks before publishing (articles.publishing_checks.Check) stop an
# article being published; the others are shown as warnings. Warnings never block.
PUBLISHING_CHECKS_BLOCK = env_list("PUBLISHING_CHECKS_BLOCK", ["alt_text", "citations"])
# A health article's medical review is due again this many months after it
# (articles.medical_review).
MEDICAL_REVIEW_DUE_AFTER_MONTHS = env_int("MEDICAL_REVIEW_DUE_AFTER_MONTHS", 12)
# How long a kept public page lives at most; any content change replaces it at once.
ARTICLES_CACHE_SECONDS = env_int("ARTICLES_CACHE_SECONDS", 300)
# How long an article's cover, contents and text are kept apart from its page, under the
# article's own version (so a new content version or rankings period re-renders only the
# rest of the page; an edit to the article replaces them at once).
ARTICLES_FRAGMENT_CACHE_SECONDS = env_int("ARTICLES_FRAGMENT_CACHE_SECONDS", 86400)
# How long browsers and CDNs may reuse a page before revalidating it (0: always ask; a
# revalidation of an unchanged page is a 304 costing no SQL query).
ARTICLES_HTTP_MAX_AGE = env_int("ARTICLES_HTTP_MAX_AGE", 0)
ARTICLES_FEED_ITEMS = 20
# The domain in feed entries' ids (tag:DOMAIN,2025-05-01:article/42): feed readers know an
# article by it, so set it once (the site's domain) and never change it. Empty: the host the
# feed is read on.
ARTICLES_FEED_ID_DOMAIN = env_str("ARTICLES_FEED_ID_DOMAIN", "")
ARTICLES_RELATED_COUNT = 3
# Longer search queries are cut to this many characters (nobody types more).
ARTICLES_SEARCH_MAX_LENGTH = 1000
# Searches one client may make: "N/seconds". Over it, a 429 page with Retry-After.
SEARCH_RATE_LIMIT = env_str("SEARCH_RATE_LIMIT", "30/60")
# Cover uploads (articles/images.py): anything larger is refused with a form error.
ARTICLE_IMAGE_MAX_BYTES = 10 * 1024 * 1024
ARTICLE_IMAGE_MAX_PIXELS = 40_000_000
# Markdown files uploaded on the admin import page.
ARTICLE_IMPORT_MAX_BYTES = 1024 * 1024


# -- popularity: view counting, Popular Posts rankings, site owners' statistics --------------
POPULARITY_REDIS_PREFIX = env_str("POPULARITY_REDIS_PREFIX", "popularity")
# How often the scheduler runs popularity_flush: the most counting a crash can lose.
POPULARITY_FLUSH_INTERVAL_SECONDS = env_int("POPULARITY_FLUSH_INTERVAL_SECONDS", 60)
# One reader (same day, address, browser, article) counts once, then again only after this
# many minutes, and at most POPULARITY_MAX_VIEWS_PER_READER times a day.
POPULARITY_REPEAT_VIEW_MINUTES = env_int("POPULARITY_REPEAT_VIEW_MINUTES", 30)
POPULARITY_MAX_VIEWS_PER_READER = env_int("POPULARITY_MAX_VIEWS_PER_READER", 3)
# Trending: a day's views weigh half as much every this many days; older days are ignored.
POPULARITY_TRENDING_HALF_LIFE_DAYS = env_float("POPULARITY_TRENDING_HALF_LIFE_DAYS", 2.0)
POPULARITY_TRENDING_HORIZON_DAYS = 14
# Rankings are cached this long (seconds); an article save clears them at once.
POPULARITY_RANKING_CACHE_SECONDS = env_int("POPULARITY_RANKING_CACHE_SECONDS", 300)
# The sidebar widget: which window and how many articles.
POPULARITY_WIDGET_WINDOW = env_str("POPULARITY_WIDGET_WINDOW", "7d")
POPULARITY_WIDGET_SIZE = 5
# Read depth: how long (seconds) an article page's signed report token stays valid, and
# how many reports one client may send ("N/seconds"; over it, 429).
POPULARITY_READ_TOKEN_MAX_AGE = env_int("POPULARITY_READ_TOKEN_MAX_AGE", 172800)
POPULARITY_READ_DEPTH_RATE_LIMIT = env_str("POPULARITY_READ_DEPTH_RATE_LIMIT", "20/60")
# Refresh candidates on the dashboard: published articles with at least MIN_VIEWS views in
# the last WINDOW_DAYS whose last change is more than STALE_DAYS old.
POPULARITY_REFRESH_WINDOW_DAYS = env_int("POPULARITY_REFRESH_WINDOW_DAYS", 30)
POPULARITY_REFRESH_MIN_VIEWS = env_int("POPULARITY_REFRESH_MIN_VIEWS", 100)
POPULARITY_REFRESH_STALE_DAYS = env_int("POPULARITY_REFRESH_STALE_DAYS", 365)
# A day is flagged as a spike when its views are this many times the article's usual level
# (the median of the 14 days before) and at least POPULARITY_SPIKE_MIN_VIEWS.
POPULARITY_SPIKE_FACTOR = env_float("POPULARITY_SPIKE_FACTOR", 5.0)
POPULARITY_SPIKE_MIN_VIEWS = env_int("POPULARITY_SPIKE_MIN_VIEWS", 50)
# A spike day where one user agent sent at least this share of the views (0–1) is marked as
# a likely bot burst.
POPULARITY_SPIKE_AGENT_SHARE = env_float("POPULARITY_SPIKE_AGENT_SHARE", 0.5)
# Views per user agent string (per article and day) are kept this many days, today
# included, then deleted by the daily salt rotation.
POPULARITY_AGENT_RETENTION_DAYS = env_int("POPULARITY_AGENT_RETENTION_DAYS", 90)
# Site searches per query and day (what readers typed, normalised) are kept this many days,
# today included, then deleted by the salt rotation: 13 months, a year against the one before.
POPULARITY_SEARCH_RETENTION_DAYS = env_int("POPULARITY_SEARCH_RETENTION_DAYS", 400)
# Sources, campaigns, devices and countries per article and day: at most this many distinct
# combinations (rows); views with a new one beyond it are summed as "Other".
POPULARITY_MAX_ORIGINS_PER_DAY = env_int("POPULARITY_MAX_ORIGINS_PER_DAY", 300)
# Countries: the header a trusted proxy puts the reader's country code in (CF-IPCountry on
# Cloudflare). Empty: countries are not counted. Never trust a header the client can set.
POPULARITY_COUNTRY_HEADER = env_str("POPULARITY_COUNTRY_HEADER", "")
# A GeoLite2-Country (or City) .mmdb file, or the folder holding it: countries are looked up
# from the reader's address with django.contrib.gis.geoip2 when the header above gives none.
# The address is dropped after the lookup. Empty: no lookup.
GEOIP_PATH = env_str("GEOIP_PATH", "")
# The weekly digest (`manage.py popularity_digest`, sent by the scheduler): to these
# addresses, comma-separated; empty: to the members of the Site owners group who have one.
POPULARITY_DIGEST_RECIPIENTS = env_list("POPULARITY_DIGEST_RECIPIENTS", [])
