"""Production: refuses to start without a real secret; secure cookies and HTTPS."""

from django.core.exceptions import ImproperlyConfigured

from core.checks import HOW_TO_MAKE_ONE, secret_key_problem

from .base import *  # noqa: F403
from .base import env_bool, env_int, env_str, logging_config

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "")
# Refused here, before anything starts: gunicorn runs no system checks. The same rule is
# the deployment check happyinnerself.E001, for settings that change the key after this.
if problem := secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(
        f"{problem} SECRET_KEY must be set to a random value of at least 50 characters in "
        f"production. {HOW_TO_MAKE_ONE} (happyinnerself.E001)"
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Asking browsers to put the domain on their built-in HTTPS-only list is a commitment that
# takes months to undo and binds every subdomain: the site owner opts in, nobody else.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# check --deploy warns whenever preload is off (security.W021); off is the choice above.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

LOGGING = logging_config(json_lines=env_bool("LOG_JSON", True), level=env_str("LOG_LEVEL", "INFO"))
