"""Addresses as a server really receives them (PATH_INFO unquoted) get a 404, never a 500."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["//[]", "//[::1", "//evil.example/x", "/%", "/articles/a b/", "//", "/\u00e9//"]
)
def test_odd_paths_are_not_found(settings, path):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True  # an exception fails the test, not a 500 page
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "REMOTE_ADDR": "127.0.0.1",
    }
    WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    assert statuses[0].startswith(("404", "301")), statuses
