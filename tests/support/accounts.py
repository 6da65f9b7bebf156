"""Who a test browser is signed in as, asked the way a person would: by opening the admin."""

from django.urls import reverse


def signed_in_as(client) -> str | None:
    """The username the admin greets this browser as, or None when it must sign in first."""
    request = client.get(reverse("admin:index")).wsgi_request
    return request.user.get_username() if request.user.is_authenticated else None
