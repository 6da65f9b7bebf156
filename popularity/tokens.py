"""The signed token a public article page carries so its read-depth report can be trusted.

It binds the article and the day only, never the reader: article pages are kept whole and
served to everyone, so every reader of a kept page carries the same token. Making one costs
no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core import signing
from django.utils import timezone

_SALT = "popularity.read-depth"


class TokenError(ValueError):
    """Forged, malformed or expired."""


@dataclass(frozen=True)
class ReadToken:
    article_id: int
    day: date


def read_token_make(*, article_id: int, day: date | None = None) -> str:
    day = day or timezone.localdate()
    return signing.TimestampSigner(salt=_SALT).sign(f"{int(article_id)}:{day.isoformat()}")


def read_token_check(token: str) -> ReadToken:
    """The token's article and day; TokenError when it is forged, malformed or too old."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(
            token, max_age=settings.POPULARITY_READ_TOKEN_MAX_AGE
        )
        article, _, day = value.partition(":")
        return ReadToken(article_id=int(article), day=date.fromisoformat(day))
    except (signing.BadSignature, ValueError) as error:  # SignatureExpired is a BadSignature
        raise TokenError(str(error)) from None
