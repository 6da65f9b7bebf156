"""Login protection: django-axes guards every login that comes through a web request, and a
per-account throttle slows guesses spread over many addresses."""

import hashlib
import logging
import math
import time

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_ip_address, get_client_username
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from .ratelimit import count_in_window

logger = logging.getLogger(__name__)


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses logins for a locked-out username and address; authenticates nobody itself.

    Axes needs the request to know the client's address. Logins without one never come from
    the web (management commands, the test client's login()), so they are left to the
    ordinary backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page shown while locked out: the same for every username, existing or not."""
    from django.contrib import admin
    from django.shortcuts import render

    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {**admin.site.each_context(request), "minutes": minutes, "title": "Sign-in paused"}
    return render(request, "admin/lockout.html", context, status=429)


# -- per-account throttle ----------------------------------------------------------------------
# Axes locks one username at one address. Guesses spread over many addresses are slowed per
# account instead: after LOGIN_THROTTLE_FAILURES failures within the window, each further
# failure makes the account wait longer (doubling, capped) before the next password is
# checked. Never a lockout: the wait is short, and a browser that has signed in to the
# account before (a signed cookie, as OWASP's "device cookies") is not held back at all.

KNOWN_DEVICE_COOKIE = "known_device"
# Named after the module it was first written in; a new salt would forget every known browser.
_KNOWN_DEVICE_SALT = "happyinnerself.auth.known-device"
_KNOWN_DEVICE_ACCOUNTS = 5  # a shared browser remembers this many accounts at most


def _account(username: str) -> str:
    # A hash: the cache and the cookie name no account in clear, and any length fits a key.
    return hashlib.sha256(username.casefold().encode()).hexdigest()[:24]


def _throttle_key(username: str, part: str) -> str:
    return f"login-throttle:{_account(username)}:{part}"


def known_device_accounts(request: HttpRequest) -> list[str]:
    """The accounts (hashed) that signed in from this browser before."""
    value = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        default="",
        salt=_KNOWN_DEVICE_SALT,
        max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400,
    )
    return [account for account in value.split(",") if account]


def login_throttle_wait(*, request: HttpRequest, username: str) -> int:
    """Seconds before a password for `username` is checked again from this browser; 0: now."""
    if _account(username) in known_device_accounts(request):
        return 0
    until = cache.get(_throttle_key(username, "until"))
    return max(0, math.ceil(until - time.time())) if until else 0


def login_failure_record(*, request: HttpRequest, username: str) -> None:
    """Count a wrong password for `username`; past the limit, hold the account back longer."""
    window = settings.LOGIN_THROTTLE_WINDOW_MINUTES * 60
    failures = count_in_window(_throttle_key(username, "failures"), window)
    address = hashlib.sha256(f"{get_client_ip_address(request)}".encode()).hexdigest()[:16]
    if cache.add(_throttle_key(username, f"address:{address}"), 1, window):
        addresses = count_in_window(_throttle_key(username, "addresses"), window)
    else:
        addresses = cache.get(_throttle_key(username, "addresses"), 1)
    over = failures - settings.LOGIN_THROTTLE_FAILURES
    if over < 0:
        return
    delay = min(
        settings.LOGIN_THROTTLE_MAX_DELAY_SECONDS,
        settings.LOGIN_THROTTLE_FIRST_DELAY_SECONDS * 2 ** min(over, 20),
    )
    cache.set(_throttle_key(username, "until"), time.time() + delay, math.ceil(delay))
    # One line per throttled failure, for alerts; escaped so a username cannot forge lines.
    logger.warning(
        "login throttled: account=%s failures=%d addresses=%d",
        username[:150].encode("unicode_escape").decode("ascii"),
        failures,
        addresses,
    )


def known_device_remember(*, request: HttpRequest, response: HttpResponse, username: str) -> None:
    """Mark this browser as one that `username` signed in from (the throttle lets it through)."""
    account = _account(username)
    others = [each for each in known_device_accounts(request) if each != account]
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        ",".join([account, *others][:_KNOWN_DEVICE_ACCOUNTS]),
        salt=_KNOWN_DEVICE_SALT,
        max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400,
        path=f"/{settings.ADMIN_URL}",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


@receiver(user_login_failed, dispatch_uid="core.login.login_failed")
def _count_login_failure(sender, credentials, request=None, **kwargs):
    if request is None:  # not a web login (management commands, tests' login())
        return
    username = get_client_username(request, credentials)
    if username:
        login_failure_record(request=request, username=username)


@receiver(user_logged_in, dispatch_uid="core.login.logged_in")
def _note_login(sender, request, user, **kwargs):
    if request is not None:
        request.known_device_login = user.get_username()


class KnownDeviceMiddleware:
    """Sets the known-device cookie on the response to a successful sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        username = getattr(request, "known_device_login", None)
        if username:
            known_device_remember(request=request, response=response, username=username)
        return response


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing a throttled account before its password is checked."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            wait = login_throttle_wait(request=self.request, username=username)
            if wait:
                raise ValidationError(
                    "Too many failed sign-ins for this account from different places. "
                    "Try again in %(wait)s, or sign in from a browser you have used for "
                    "this account before.",
                    code="throttled",
                    params={"wait": ngettext("%d second", "%d seconds", wait) % wait},
                )
        return super().clean()
