"""Login protection: django-axes guards every login that comes through a web request."""

from axes.backends import AxesStandaloneBackend


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
    from django.conf import settings
    from django.contrib import admin
    from django.shortcuts import render

    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {**admin.site.each_context(request), "minutes": minutes, "title": "Sign-in paused"}
    return render(request, "admin/lockout.html", context, status=429)
