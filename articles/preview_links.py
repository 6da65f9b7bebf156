"""Signed, expiring preview links: a draft shown to someone without an account.

A link's token is a TimestampSigner signature over the article's id, its
`preview_links_version` and the link's lifetime. Nothing is stored per link: a token stops
working when its lifetime has passed, when it is altered in any way, or when an editor
revokes the article's links (which raises the version every older token names).
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.db.models import F
from django.utils import timezone

from . import selectors
from .models import Article

_SALT = "articles.preview-link"

#: The lifetimes an editor chooses between, by form value.
LIFETIMES: dict[str, tuple[timedelta, str]] = {
    "1h": (timedelta(hours=1), "1 hour"),
    "1d": (timedelta(days=1), "1 day"),
    "7d": (timedelta(days=7), "7 days"),
}
LONGEST = max(lifetime for lifetime, _ in LIFETIMES.values())


def preview_link_token(*, article: Article, lifetime: timedelta) -> str:
    """A token for /preview/<token>/ that shows this article for `lifetime` from now."""
    payload = {
        "a": article.pk,
        "v": article.preview_links_version,
        "s": int(lifetime.total_seconds()),
    }
    return signing.TimestampSigner(salt=_SALT).sign_object(payload)


def preview_link_expires(*, lifetime: timedelta):
    return timezone.now() + lifetime


def article_for_preview_token(*, token: str) -> Article | None:
    """The article a valid, unexpired, unrevoked token names, as the article page reads it."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        payload = signer.unsign_object(token, max_age=LONGEST)
        if not isinstance(payload, dict):
            return None
        article_id, version, seconds = payload.get("a"), payload.get("v"), payload.get("s")
        if not all(isinstance(value, int) for value in (article_id, version, seconds)):
            return None
        # Checked again against the link's own lifetime, which may be shorter than the longest.
        signer.unsign_object(token, max_age=seconds)
    except (signing.BadSignature, ValueError, TypeError):
        # SignatureExpired is a BadSignature; a mangled payload raises ValueError/TypeError.
        return None
    return (
        selectors.article_for_preview().filter(pk=article_id, preview_links_version=version).first()
    )


def article_preview_links_revoke(*, article: Article) -> Article:
    """Make every preview link given out for this article answer 404 from now on."""
    Article.objects.filter(pk=article.pk).update(
        preview_links_version=F("preview_links_version") + 1, updated_at=timezone.now()
    )
    article.refresh_from_db(fields=["preview_links_version", "updated_at"])
    return article
