"""Local development: DEBUG on, a fixed throwaway secret, everything else from base."""

from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# Safe only because this key never leaves a developer's machine; production refuses it.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")

# Serve static files straight from the app folders; production serves the collected, hashed set.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Missing pages look as readers see them (the site's 404 page), not like Django's technical
# page; DEBUG_NOT_FOUND_PAGE=true brings that one back, with the URL patterns it tried.
if DEBUG and not env_bool("DEBUG_NOT_FOUND_PAGE", False):
    _after = MIDDLEWARE.index("core.errors.DatabaseUnavailableMiddleware") + 1  # noqa: F405
    MIDDLEWARE = [  # noqa: F405
        *MIDDLEWARE[:_after],  # noqa: F405
        "core.errors.SiteNotFoundMiddleware",
        *MIDDLEWARE[_after:],  # noqa: F405
    ]
