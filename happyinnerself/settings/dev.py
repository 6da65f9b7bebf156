"""Local development: DEBUG on, a fixed throwaway secret, everything else from base."""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DEBUG", "1").lower() in {"1", "true", "yes", "on"}
# Safe only because this key never leaves a developer's machine; production refuses it.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-used-in-production"

# Serve static files straight from the app folders; production serves the collected, hashed set.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
