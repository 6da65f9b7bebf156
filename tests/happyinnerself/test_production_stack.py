"""The production settings, for real: gunicorn + PostgreSQL, the database pulled away and back."""

import json
import re

import pytest

from tests.support.stack import admin_login, stack_start, stack_stop

SECURE = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def stack():
    running = stack_start("production")
    yield running
    stack_stop(running)


def test_serves_pages_under_gunicorn_with_production_settings(stack):
    home = stack.get("/")
    assert home.status == 200
    assert "The Face Twitching Mystery" in home.body
    article = stack.get("/articles/face-twitching-mystery/")
    assert article.status == 200
    # Static files come from the hashed, compressed manifest.
    assert re.search(r"/static/css/site\.[0-9a-f]{12}\.css", home.body)


def test_health_and_readiness(stack):
    assert json.loads(stack.get("/healthz").body) == {"status": "ok"}
    ready = stack.get("/readyz")
    assert ready.status == 200
    assert json.loads(ready.body) == {"status": "ok", "database": "ok", "cache": "ok"}


def test_request_id_is_echoed_and_logged_as_json(stack):
    response = stack.get("/articles/no-such-article/", headers={"X-Request-ID": "trace-abc-123"})
    assert response.status == 404
    assert response.header("X-Request-ID") == "trace-abc-123"
    forged = stack.get("/", headers={"X-Request-ID": "<script>not an id</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.header("X-Request-ID"))
    lines = [json.loads(line) for line in stack.logs().splitlines() if line.startswith("{")]
    assert any(
        entry["request_id"] == "trace-abc-123" and "Not Found" in entry["message"]
        for entry in lines
    )


def test_database_outage_gives_503_then_recovers_by_itself(stack):
    admin_login(stack)
    assert stack.get("/admin/").status == 200
    stack.database_stop()
    try:
        for path in ("/tags/", "/search/?q=calm", "/admin/"):
            response = stack.get(path)
            assert response.status == 503, (path, response.status)
            assert response.header("Retry-After") == "30"
            assert "Back in a moment" in response.body
            assert "Traceback" not in response.body and "psycopg2" not in response.body
        # A page a worker keeps whole may still be served: better than a 503.
        for path in ("/", "/articles/face-twitching-mystery/"):
            page = stack.get(path)
            assert page.status == 503 or (
                page.status == 200 and "The Face Twitching Mystery" in page.body
            ), (path, page.status)
        assert stack.get("/readyz").status == 503
        assert stack.get("/healthz").status == 200  # the process itself is fine
    finally:
        stack.database_start()
    for path in ("/", "/articles/face-twitching-mystery/", "/admin/", "/readyz"):
        assert stack.get(path).status == 200, path


@pytest.mark.parametrize("path", ["/", "/articles/face-twitching-mystery/", "/admin/login/"])
def test_security_headers_on_real_responses(stack, path):
    response = stack.get(path)
    csp = response.header("Content-Security-Policy")
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["default-src"] == "'self'"
    if not path.startswith("/admin/"):
        # Only the admin's editor widgets may set inline styles.
        assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    hsts = dict(
        (item.strip().split("=") + [""])[:2]
        for item in response.header("Strict-Transport-Security").split(";")
    )
    assert int(hsts["max-age"]) >= 31_536_000
    assert "includeSubDomains" in hsts
    assert "preload" not in hsts  # the owner's choice (SECURE_HSTS_PRELOAD), off by default
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.header("Cross-Origin-Opener-Policy") == "same-origin"
    assert response.header("X-Frame-Options") == "DENY"
    assert "geolocation=()" in response.header("Permissions-Policy")
    assert "camera=()" in response.header("Permissions-Policy")


def test_cookies_are_secure_httponly_and_samesite(stack):
    stack.cookies.clear()  # a new visitor
    page = stack.get("/admin/login/")
    raw = page.headers.get_all("Set-Cookie")
    csrf = next(c for c in raw if c.startswith("csrftoken="))
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag in csrf


def test_plain_http_is_redirected_to_https(stack):
    response = stack.request("GET", "/", headers={"X-Forwarded-Proto": "http"})
    assert response.status == 301
    assert response.header("Location") == "https://127.0.0.1/"
