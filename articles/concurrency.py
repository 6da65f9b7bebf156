"""Two editors on one article: who is editing it (a soft edit lock), and which version a save
was made from (optimistic concurrency on Article.version).

The lock only informs: the second editor sees who else has the form open and since when, and
may take over. What keeps work from being lost is the version check: a save made from a form
opened on an older version is refused (articles.admin.concurrency).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import Article, EditLock

#: How often an open change form renews its lock (articles/admin/edit-lock.js).
HEARTBEAT_SECONDS = 30
#: A lock not renewed for this long lapses: the page was closed, or the laptop went to sleep.
EXPIRES_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class LockState:
    """An article's edit lock as one user sees it."""

    held: bool  # by this user
    holder: AbstractBaseUser | None = None  # someone else, when not held
    since: datetime | None = None
    seen_at: datetime | None = None
    taken_over: bool = False  # the other took it from this user

    @property
    def holder_name(self) -> str:
        if self.holder is None:
            return ""
        full_name = getattr(self.holder, "get_full_name", lambda: "")()
        return full_name or self.holder.get_username()


def _state(lock: EditLock, user: AbstractBaseUser) -> LockState:
    if lock.holder_id == user.pk:
        return LockState(held=True, since=lock.since, seen_at=lock.seen_at)
    return LockState(
        held=False,
        holder=lock.holder,
        since=lock.since,
        seen_at=lock.seen_at,
        taken_over=lock.taken_from_id == user.pk,
    )


def _lapsed(lock: EditLock, now: datetime) -> bool:
    return lock.seen_at < now - EXPIRES_AFTER


def edit_lock_state(*, article: Article, user: AbstractBaseUser) -> LockState:
    """The article's lock as `user` sees it, changing nothing."""
    lock = EditLock.objects.select_related("holder").filter(article=article).first()
    if lock is None or (lock.holder_id != user.pk and _lapsed(lock, timezone.now())):
        return LockState(held=False)
    return _state(lock, user)


def edit_lock_renew(*, article: Article, user: AbstractBaseUser) -> LockState:
    """`user` has the article's form open: renew their lock, or take it if nobody else holds
    one that is still alive. Someone else's live lock is left alone (and described).

    One UPDATE while the holder's page is open (every heartbeat); every step is a single
    statement that checks what it changes, so two pages renewing at once cannot both win.
    """
    now = timezone.now()
    if EditLock.objects.filter(article=article, holder_id=user.pk).update(seen_at=now):
        return LockState(held=True)
    lock, created = EditLock.objects.select_related("holder").get_or_create(
        article=article, defaults={"holder_id": user.pk, "since": now, "seen_at": now}
    )
    if created or lock.holder_id == user.pk:
        return _state(lock, user)
    if _lapsed(lock, now):
        took = EditLock.objects.filter(article=article, seen_at=lock.seen_at).update(
            holder_id=user.pk, since=now, seen_at=now, taken_from=None
        )
        if took:
            return LockState(held=True)
    return _state(lock, user)


@transaction.atomic
def edit_lock_take_over(*, article: Article, user: AbstractBaseUser) -> LockState:
    """`user` chose to take over editing: the lock is theirs, and its former holder's page
    says so."""
    now = timezone.now()
    lock, created = EditLock.objects.select_for_update().get_or_create(
        article=article, defaults={"holder_id": user.pk, "since": now, "seen_at": now}
    )
    if not created and lock.holder_id != user.pk:
        previous = None if _lapsed(lock, now) else lock.holder_id
        lock.holder_id, lock.since, lock.seen_at = user.pk, now, now
        lock.taken_from_id = previous
        lock.save()
    return _state(lock, user)


def edit_lock_release(*, article: Article, user: AbstractBaseUser) -> None:
    """`user` left the article's form: their lock (only theirs) ends now."""
    EditLock.objects.filter(article=article, holder_id=user.pk).delete()


def article_version_for_update(*, article_id: int) -> int | None:
    """The article's stored version, its row locked until the transaction ends: a save
    checked against it cannot be overtaken by another before it is written."""
    return (
        Article.objects.select_for_update()
        .filter(pk=article_id)
        .values_list("version", flat=True)
        .first()
    )
