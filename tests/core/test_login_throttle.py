"""Guesses at one account from many addresses are slowed; its editor is never locked out."""

import logging
import time

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.support.accounts import signed_in_as

LOGIN = "/admin/login/?next=/admin/"
RIGHT = "correct horse battery"
THROTTLED = "Too many failed sign-ins for this account"


@pytest.fixture
def editor(db):
    return UserFactory(username="eddie", is_staff=True)


def attempt(client: Client, address: str, password: str, username: str = "eddie"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def sign_out(browser: Client) -> None:
    # The admin's own log-out; the test client's logout() would also drop every cookie.
    assert browser.post("/admin/logout/").status_code == 200
    cookie = browser.cookies["known_device"]
    assert cookie["httponly"] and cookie["path"] == "/admin/" and cookie.value


def guess_from_many_addresses(count: int = 30) -> list:
    # A new browser at a new address each time: axes' per-address lockout never fires.
    return [attempt(Client(), f"203.0.113.{n}", "wrong") for n in range(1, count + 1)]


def test_guesses_from_many_addresses_slow_the_account_down(editor, caplog):
    with caplog.at_level(logging.WARNING, logger="core.login"):
        guesses = guess_from_many_addresses()
    assert all(response.status_code == 200 for response in guesses)
    assert THROTTLED not in guesses[9].content.decode()  # the first ten are checked
    assert THROTTLED in guesses[10].content.decode()

    # The right password, from a 31st address and a browser never used for the account.
    response = attempt(Client(), "198.51.100.31", RIGHT)
    assert response.status_code == 200
    page = response.content.decode()
    assert THROTTLED in page and "Try again in " in page
    assert signed_in_as(response.client) is None

    throttled = [r.getMessage() for r in caplog.records if "login throttled" in r.getMessage()]
    assert throttled[0] == "login throttled: account=eddie failures=10 addresses=10"
    assert RIGHT not in caplog.text and "wrong" not in caplog.text


def test_a_browser_that_signed_in_before_is_never_held_back(editor):
    browser = Client()
    assert attempt(browser, "192.0.2.7", RIGHT).status_code == 302
    sign_out(browser)

    guess_from_many_addresses()
    # The editor's own browser, from yet another address (a train's wifi).
    response = attempt(browser, "198.51.100.99", RIGHT)
    assert response.status_code == 302
    assert signed_in_as(browser) == editor.username


def test_another_accounts_known_device_cookie_does_not_help(editor):
    browser = Client()
    UserFactory(username="olive", is_staff=True)
    assert attempt(browser, "192.0.2.7", RIGHT, username="olive").status_code == 302
    sign_out(browser)

    guess_from_many_addresses()
    assert THROTTLED in attempt(browser, "192.0.2.7", RIGHT).content.decode()


def test_a_forged_known_device_cookie_is_ignored(editor):
    guess_from_many_addresses()
    browser = Client()
    browser.cookies["known_device"] = "anything"
    assert THROTTLED in attempt(browser, "192.0.2.8", RIGHT).content.decode()


def test_the_wait_is_short_and_then_the_right_password_works(editor, settings):
    settings.LOGIN_THROTTLE_FIRST_DELAY_SECONDS = 1
    settings.LOGIN_THROTTLE_MAX_DELAY_SECONDS = 1
    guess_from_many_addresses()
    assert THROTTLED in attempt(Client(), "198.51.100.31", RIGHT).content.decode()

    time.sleep(1.1)
    assert attempt(Client(), "198.51.100.32", RIGHT).status_code == 302


def test_the_throttle_says_nothing_about_whether_an_account_exists(editor):
    for username in ("eddie", "nobody-by-this-name"):
        for n in range(1, 12):
            attempt(Client(), f"203.0.113.{n}", "wrong", username=username)
    known = attempt(Client(), "198.51.100.1", "wrong").content.decode()
    unknown = attempt(Client(), "198.51.100.1", "wrong", username="nobody-by-this-name")
    assert THROTTLED in known and THROTTLED in unknown.content.decode()


@pytest.fixture
def hardening_redis(settings):
    """The default cache on the local Redis: database 9, keys under this branch's prefix."""

    from tests.support.redis import redis_required

    raw = redis_required("redis://127.0.0.1:6379/9")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/9",
            "KEY_PREFIX": "hardening-login",
        }
    }
    yield raw
    for key in raw.scan_iter("hardening-login:*"):
        raw.delete(key)


def test_the_throttle_counts_in_the_shared_redis_and_forgets(editor, settings, hardening_redis):
    guess_from_many_addresses()
    assert THROTTLED in attempt(Client(), "198.51.100.31", RIGHT).content.decode()
    keys = list(hardening_redis.scan_iter("hardening-login:*login-throttle:*"))
    assert keys and b"eddie" not in b"".join(keys)  # the cache names no account in clear
    window = settings.LOGIN_THROTTLE_WINDOW_MINUTES * 60
    assert all(0 < hardening_redis.ttl(key) <= window for key in keys)
