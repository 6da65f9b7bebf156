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
