"""ASGI entry point, for an ASGI server; production runs gunicorn with wsgi.py."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "happyinnerself.settings.dev")

application = get_asgi_application()
