"""Autosave: an editor's unsaved change form, kept on the server while they write.

The browser sends the whole form every few seconds of idle time (articles/admin/autosave.py
is the endpoint); it lands in ArticleAutosave, never in the article, its revisions or
anything readers see. Reopening the form offers it back when it is newer than the article's
last save; saving the article deletes it; anything older than AUTOSAVE_KEEP_DAYS goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import timezone

from .models import Article, ArticleAutosave

AUTOSAVE_KEEP_DAYS = 30
#: The JSON body the endpoint accepts: a long article is ~200 KB of form, so five times that.
AUTOSAVE_MAX_BYTES = 1_000_000
AUTOSAVE_MAX_FIELDS = 5_000
DRAFT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class AutosaveRejected(ValueError):
    """What the browser sent is not a form this endpoint keeps (a 400, with this message)."""


@dataclass(frozen=True)
class AutosaveRequest:
    draft_key: str
    data: list[list[str]]


def autosave_parse(*, payload: object) -> AutosaveRequest:
    """Check the decoded JSON: {"key": "<draft key>", "data": [[name, value], ...]}."""
    if not isinstance(payload, dict):
        raise AutosaveRejected("Expected a JSON object.")
    key = payload.get("key")
    if not isinstance(key, str) or not DRAFT_KEY.match(key):
        raise AutosaveRejected("key: 8 to 64 letters, digits, - or _.")
    data = payload.get("data")
    if not isinstance(data, list) or len(data) > AUTOSAVE_MAX_FIELDS:
        raise AutosaveRejected(f"data: a list of at most {AUTOSAVE_MAX_FIELDS} [name, value].")
    for pair in data:
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
            and 0 < len(pair[0]) <= 200
        ):
            raise AutosaveRejected("data: each item is [name, value], both strings.")
        if not all(_storable(part) for part in pair):
            raise AutosaveRejected("data: text only (no NUL characters or lone surrogates).")
    return AutosaveRequest(draft_key=key, data=data)


def _storable(text: str) -> bool:
    """Whether PostgreSQL's jsonb takes this string (it refuses \\u0000 and broken UTF-16)."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _mine(*, user: AbstractBaseUser, article: Article | None, draft_key: str) -> QuerySet:
    if article is not None:
        return ArticleAutosave.objects.filter(user_id=user.pk, article=article)
    return ArticleAutosave.objects.filter(user_id=user.pk, article=None, draft_key=draft_key)


def autosave_store(
    *, user: AbstractBaseUser, article: Article | None, request: AutosaveRequest
) -> ArticleAutosave:
    """Keep this form as the user's one autosave of the article (or of this new draft)."""
    now = timezone.now()
    fields = {"data": request.data, "saved_at": now, "draft_key": request.draft_key}
    mine = _mine(user=user, article=article, draft_key=request.draft_key)
    try:
        autosave, _ = mine.update_or_create(
            defaults=fields, create_defaults={**fields, "user_id": user.pk, "article": article}
        )
    except IntegrityError:
        # Two tabs made the row at the same moment: the other one won, update it.
        autosave, _ = mine.update_or_create(defaults=fields)
    # A cheap sweep on the way (saved_at is indexed): nobody comes back after a month.
    ArticleAutosave.objects.filter(saved_at__lt=now - timedelta(days=AUTOSAVE_KEEP_DAYS)).delete()
    return autosave


def autosave_discard(*, user: AbstractBaseUser, article: Article | None, draft_key: str) -> int:
    """The user chose "Discard": forget their autosave of the article (or new draft)."""
    deleted, _ = _mine(user=user, article=article, draft_key=draft_key).delete()
    return deleted


def autosaves_saved(*, article: Article, user: AbstractBaseUser, draft_key: str = "") -> None:
    """The article was just saved: its autosaves are now older than it and never offered.

    A new article's autosave was keyed by its add form's draft key (sent with the form).
    """
    ArticleAutosave.objects.filter(article=article).delete()
    if draft_key:
        ArticleAutosave.objects.filter(user_id=user.pk, article=None, draft_key=draft_key).delete()


def autosave_offer(*, user: AbstractBaseUser, article: Article | None) -> ArticleAutosave | None:
    """The autosave to offer on opening the form: the user's own, newer than the last save.

    On the add form, their most recent autosave of a new article never saved.
    """
    since = timezone.now() - timedelta(days=AUTOSAVE_KEEP_DAYS)
    mine = ArticleAutosave.objects.filter(user_id=user.pk, saved_at__gte=since)
    if article is None:
        return mine.filter(article=None).order_by("-saved_at").first()
    return mine.filter(article=article, saved_at__gt=article.updated_at).first()
