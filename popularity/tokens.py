"""The signed token a public article page carries so its read-depth report can be trusted.

It binds the article and the day only, never the reader or the second it was made: article
pages are kept whole and served to everyone, so every reader of a page, and every render of
it that day, carries the same token (the page is the same bytes for all; a timestamp would
make two renders a second apart differ). Making one costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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
    return signing.Signer(salt=_SALT).sign(f"{int(article_id)}:{day.isoformat()}")


def read_token_check(token: str) -> ReadToken:
    """The token's article and day; TokenError when it is forged, malformed or too old: past
    POPULARITY_READ_TOKEN_MAX_AGE seconds after its day ended."""
    try:
        article, _, day = signing.Signer(salt=_SALT).unsign(token).partition(":")
        signed = ReadToken(article_id=int(article), day=date.fromisoformat(day))
    except (signing.BadSignature, ValueError) as error:
        raise TokenError(str(error)) from None
    day_ended = timezone.make_aware(datetime.combine(signed.day + timedelta(days=1), time.min))
    if timezone.now() > day_ended + timedelta(seconds=settings.POPULARITY_READ_TOKEN_MAX_AGE):
        raise TokenError("expired")
    return signed
