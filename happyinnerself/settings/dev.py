"""Local development: DEBUG on, a fixed throwaway secret, everything else from base."""

from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# Safe only because this key never leaves a developer's machine; production refuses it.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")

# Serve static files straight from the app folders; production serves the collected, hashed set.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
