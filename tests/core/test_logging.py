"""What the logs show: real errors with their tracebacks, a bad Host header as one quiet line."""

import logging

import pytest
from django.test import Client
from django.urls import include, path


def boom(request):
    raise RuntimeError("a real fault")


urlpatterns = [path("boom", boom), path("", include("happyinnerself.urls"))]
handler500 = "core.errors.server_error"


@pytest.fixture
def django_records():
    """Every record that reaches the handlers of the "django" logger (it does not propagate)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            self.format(record)  # as the console handler would: a traceback is rendered here
            records.append(record)

    handler = Keep()
    logger = logging.getLogger("django")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_a_bad_host_header_is_one_warning_without_a_traceback(client, django_records):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert [(r.name, r.levelname) for r in django_records] == [
        ("django.security.DisallowedHost", "WARNING")
    ]
    record = django_records[0]
    assert record.exc_info is None and not record.exc_text
    assert "evil.example" in record.getMessage()


@pytest.mark.urls(__name__)
def test_a_real_error_is_still_logged_at_error_with_its_traceback(django_records):
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    errors = [r for r in django_records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].name == "django.request"
    assert "RuntimeError: a real fault" in errors[0].exc_text
