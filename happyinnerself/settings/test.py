"""Test settings: fast password hashing and an in-process cache."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tests",
    },
    "local": LOCAL_CACHE,
    "pages": PAGES_CACHE,
}

# Serve static files straight from the app folders; production serves the collected, hashed set.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Counted views go straight to PostgreSQL whatever the shell exports; the tests of the Redis
# buffer opt in with their own server (tests/popularity/test_buffer.py).
REDIS_URL = ""
