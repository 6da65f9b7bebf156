"""WSGI entry point; production sets DJANGO_SETTINGS_MODULE explicitly."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "happyinnerself.settings.dev")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, every URL's view) lives as long as the process.
# Frozen, the collector's full passes skip it: they walked some 80,000 objects, 25-35 ms in
# which the worker answers nobody and every request queued on it waits; now about 2 ms.
get_resolver().url_patterns  # noqa: B018 (imports the URL conf and every view now)
gc.freeze()
