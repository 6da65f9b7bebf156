"""Error pages that never need the database, so they still work when it is down."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

# Seconds a client (or proxy) should wait before retrying while the database is away.
RETRY_AFTER_SECONDS = 30


def _database_is_down(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def service_unavailable(request) -> HttpResponse:
    body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request) -> HttpResponse:
    """handler500: a lost database is a 503 (try again soon), anything else a plain 500."""
    if _database_is_down(sys.exc_info()[1]):
        return service_unavailable(request)
    body = loader.get_template("500.html").render({})
    return HttpResponse(body, status=500)


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection inside a view or its template into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _database_is_down(exception):
            return service_unavailable(request)
        return None
