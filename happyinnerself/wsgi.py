"""WSGI entry point; production sets DJANGO_SETTINGS_MODULE explicitly.

gunicorn.conf.py loads it once in gunicorn's arbiter and freezes what it loaded there.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "happyinnerself.settings.dev")

application = get_wsgi_application()
