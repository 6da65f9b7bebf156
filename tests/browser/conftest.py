"""Real-browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

The browser is never downloaded: scripts/test installs Debian's `chromium` package when it
is missing, and these fixtures point Playwright at it.
"""

import os
import shutil
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
# Headless chromium says "HeadlessChrome", which the crawler list rightly refuses to count:
# tests of what a reader's visit records present this desktop browser instead.
DESKTOP_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


#: The two looks the reading tests check: a phone in dark mode, a desktop in light.
PHONE_DARK_AND_DESKTOP_LIGHT = pytest.mark.parametrize(
    ("width", "scheme"), [(375, "dark"), (1280, "light")], ids=["phone-dark", "desktop-light"]
)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: ./scripts/test installs it with apt-get.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests
    # make between page actions are still ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    return []


@pytest.fixture
def new_page(browser, live_server, console_errors):
    """Open pages at a given viewport; console errors and page crashes are collected."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/ (git-ignored) for a person to look at."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, username: str = "eddie") -> None:
    """Sign `editor` (eddie), or another user with the factories' password, in through the
    admin's login form."""
    page.set_default_timeout(10_000)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


@pytest.fixture
def editor():
    """An editor who signs in through the login form (the suite's own `editor` needs `db`)."""
    from tests.factories import UserFactory

    call_command("setup_roles", stdout=StringIO())
    user = UserFactory(username="eddie", is_staff=True)  # password: correct horse battery
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def buffered(settings):
    """Counting through Redis, as in production, under a prefix of this test's own."""
    from popularity.counting.buffer import get_buffer
    from tests.support.redis import redis_required

    redis_url = "redis://127.0.0.1:6379/0"
    redis_required(redis_url)
    settings.REDIS_URL = redis_url
    settings.POPULARITY_REDIS_PREFIX = f"test-browser-{uuid.uuid4().hex}"
    yield
    buffer = get_buffer()
    keys = list(buffer.client.scan_iter(match=f"{settings.POPULARITY_REDIS_PREFIX}:*"))
    if keys:
        buffer.client.delete(*keys)


@pytest.fixture(autouse=True)
def _last_beacons_land(request):
    """Closing a page sends its read-depth and engaged-time beacon; let it reach the live
    server before the test database is flushed, or the flush's TRUNCATE and the beacon's
    write deadlock (seen in CI)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("live_server")  # torn down after this fixture's wait
    yield
    time.sleep(0.5)
