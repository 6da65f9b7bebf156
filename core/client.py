"""Who the client is: its address, trusting proxies only as far as configured."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only through TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it received the request from, so with N trusted
    proxies the client is the N-th entry from the right; anything left of it was written by
    the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
