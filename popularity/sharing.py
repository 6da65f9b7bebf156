"""Shared read-only links to the statistics: what a link's token is, which link a token
names, and revoking one.

The token is a signature (django.core.signing, salted) over the link's id: nothing secret
is stored, an altered token fails its signature, and the row decides the rest: a revoked or
expired link (or one whose article or tag was deleted, which deletes the row) names nothing.
Changing SECRET_KEY ends every link.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from .models import SharedStatsLink

_SALT = "popularity.shared-stats-link"


def shared_link_token(*, link: SharedStatsLink) -> str:
    return signing.Signer(salt=_SALT).sign(str(link.pk))


def shared_link_path(*, link: SharedStatsLink) -> str:
    return reverse("popularity:shared", kwargs={"token": shared_link_token(link=link)})


def active_shared_links(*, now: datetime | None = None) -> QuerySet[SharedStatsLink]:
    """Links that still open: not revoked, not past their expiry."""
    now = now or timezone.now()
    return SharedStatsLink.objects.filter(revoked_at=None).filter(
        Q(expires_at=None) | Q(expires_at__gt=now)
    )


def shared_link_for_token(*, token: str) -> SharedStatsLink | None:
    """The active link a token names, with its article and tag; None for a tampered,
    malformed, revoked or expired one."""
    try:
        value = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        return None
    return active_shared_links().select_related("article", "tag").filter(pk=int(value)).first()


def shared_links_revoke(*, links: QuerySet[SharedStatsLink]) -> int:
    """Revoke these links (those not revoked yet): each answers 404 from now on."""
    return links.filter(revoked_at=None).update(revoked_at=timezone.now())
