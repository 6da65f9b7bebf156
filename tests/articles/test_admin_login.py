"""The admin login's protection against guessed passwords."""

import pytest

from tests.support.accounts import signed_in_as

pytestmark = pytest.mark.django_db


# -- login protection ----------------------------------------------------------------------------


def login(client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_repeated_wrong_passwords_lock_the_login_out(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "eddie", "wrong")
        assert response.status_code == 200 and "Please enter the correct username" in (
            response.content.decode()
        )
    locked = login(client, "eddie", "wrong")
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "paused for 15 minutes." in " ".join(locked.content.decode().split())  # as read
    # Even the right password is refused until the cool-off has passed.
    assert login(client, "eddie", "correct horse battery").status_code == 429
    assert signed_in_as(client) is None


def test_lockout_does_not_tell_whether_an_account_exists(client, editor, settings):
    responses = {}
    for username in ("eddie", "nobody-by-this-name"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            responses[username] = login(client, username, "wrong")
    known, unknown = responses["eddie"], responses["nobody-by-this-name"]
    assert known.status_code == unknown.status_code == 429
    assert known.content.decode() == unknown.content.decode()
    assert "eddie" not in known.content.decode()


def test_a_correct_password_before_the_limit_logs_in_and_resets(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "eddie", "wrong")
    assert login(client, "eddie", "correct horse battery").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "eddie", "wrong").status_code == 200
