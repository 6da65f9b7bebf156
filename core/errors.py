"""Error pages that never need the database, so they still work when it is down."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.template import loader
from django.views.defaults import page_not_found

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


class SiteNotFoundMiddleware:
    """With DEBUG on (development), a missing page is the site's own 404, as readers get
    it, instead of Django's technical page. Development settings add it unless
    DEBUG_NOT_FOUND_PAGE is set (docs/development.md).

    Django shows its technical page for every 404 while DEBUG is on, whatever handler404
    says; this answers first: an Http404 raised by a view, or an address no URL pattern
    matches (the request never got a `resolver_match`). A 404 response a view returns
    itself is left as it is, as in production. Inside CommonMiddleware, so a missing
    trailing slash still redirects.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
