"""No silent overwrites: the edit lock on the change form, and the version check on saving.

Two editors with one article open used to find out only afterwards that the later save had
silently replaced the earlier one. Now:
- the change form shows who else is editing the article and since when (a soft lock, renewed
  by articles/admin/edit-lock.js while the form is open), with a "Take over editing" button;
- the form carries the version it was opened on; a save from an older version is refused,
  with who saved what and when, and a diff of their changes, while the refused editor's text
  stays in the form. "Save anyway" replaces the other's changes deliberately, and the history
  records that it did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import (
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from reversion.models import Version

from .. import concurrency
from ..models import Article
from .compare import ArticleDiff, article_diff
from .display import when

# Revisions looked through for the one a refused form was opened on.
_LOOKBACK = 50
# Set on the request by a deliberate "Save anyway", for the history entry.
_OVERWROTE = "article_overwrote"
# The version an article had before a restore wrote an old revision back (revision_view).
_BEFORE_RESTORE = "article_version_before_restore"


@dataclass(frozen=True)
class Save:
    """A save made after the refused form was opened."""

    user: str
    at: str
    comment: str


@dataclass(frozen=True)
class SaveConflict:
    opened: int
    current: int
    saves: list[Save]
    diff: ArticleDiff | None

    @property
    def who(self) -> str:
        names = list(dict.fromkeys(save.user for save in self.saves))
        return " and ".join(names) if names else "Someone"

    @property
    def summary(self) -> str:
        last = f" on {self.saves[0].at}" if self.saves else ""
        return f"{self.who} saved this article{last}, after you opened it"


def _user_name(user) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def save_conflict(article: Article, *, opened: int, current: int) -> SaveConflict:
    """What happened to `article` since a form was opened on version `opened`: the saves
    since (newest first), and the diff from the revision that form showed to the latest."""
    versions = list(
        Version.objects.get_for_object(article).select_related("revision__user")[:_LOOKBACK]
    )
    newer: list[Version] = []
    older = None
    for version in versions:
        if version.field_dict.get("version", 0) <= opened:
            older = version
            break
        newer.append(version)
    saves = [
        Save(
            user=_user_name(version.revision.user),
            at=when(version.revision.date_created),
            comment=version.revision.get_comment() or "Saved.",
        )
        for version in newer
    ]
    diff = article_diff(article, older, newer[0]) if older is not None and newer else None
    return SaveConflict(opened=opened, current=current, saves=saves, diff=diff)


class OpenedVersionField(forms.IntegerField):
    """The version a form was opened on: never a change the history should list."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


class VersionCheckedForm(forms.Form):
    """Mixed into the article's form: the version it was opened on, checked on saving."""

    version = OpenedVersionField(required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict: SaveConflict | None = None
        self.overwrote: SaveConflict | None = None
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.initial.setdefault("version", instance.version)

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("version")
        article = getattr(self, "instance", None)
        if opened is None or article is None or article.pk is None:
            return cleaned
        # Locked until the save commits: a concurrent save waits, then finds this one's number.
        current = concurrency.article_version_for_update(article_id=article.pk)
        if current is None or current == opened:
            return cleaned
        conflict = save_conflict(article, opened=opened, current=current)
        if self._overwrite_version() == current:
            self.overwrote = conflict
            return cleaned
        self.conflict = conflict
        raise ValidationError(
            "%(summary)s. Your save was refused so that their changes are not lost; your "
            "text is still in the form. See what they changed below, then copy what you need, "
            "or choose “Save anyway” to replace their version with yours.",
            code="version_conflict",
            params={"summary": conflict.summary},
        )

    def _overwrite_version(self) -> int | None:
        # "Save anyway" names the version its editor saw and chose to replace.
        try:
            return int(self.data.get("_overwrite", ""))
        except (TypeError, ValueError):
            return None


class ArticleConcurrencyMixin:
    """For ArticleAdmin: the edit lock (banner, heartbeat, take over) and the version check."""

    # -- the version check ---------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if obj is not None and fieldsets and self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            # A hidden row of the first fieldset: present on every form that edits an article,
            # the restore form included.
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], "version"]})
        return fieldsets

    def get_exclude(self, request, obj=None):
        # Not a model field of the form (Article.version is not editable): the form's own.
        excluded = super().get_exclude(request, obj)  # type: ignore[misc]
        return [*(excluded or []), "version"] if obj is not None else excluded

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            base = kwargs.get("form", self.form)  # type: ignore[attr-defined]
            kwargs["form"] = type(base.__name__, (VersionCheckedForm, base), {})
        return super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]

    def save_model(self, request, obj, form, change):
        overwrote = getattr(form, "overwrote", None)
        if overwrote is not None:
            note = (
                f"Saved anyway over the changes of {overwrote.who} "
                f"(version {overwrote.current}, from version {overwrote.opened})."
            )
            setattr(request, _OVERWROTE, note)
            messages.warning(
                request,
                f"You replaced the changes {overwrote.who} had saved. Their version stays in "
                "the history, where you can compare and restore it.",
            )
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def log_change(self, request, obj, message):
        note = getattr(request, _OVERWROTE, None)
        if note:
            if isinstance(message, list):
                message = LogEntry(change_message=json.dumps(message)).get_change_message()
            message = f"{message} {note}".strip()
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # A restore writes the old revision back, version number included: remember the
        # number it had, so that the restored form checks and continues from it.
        with transaction.atomic():
            pk = unquote(object_id)
            if pk.isdigit():
                current = concurrency.article_version_for_update(article_id=int(pk))
                setattr(request, _BEFORE_RESTORE, current)
            return super().revision_view(request, object_id, version_id, extra_context)  # type: ignore[misc]

    def get_object(self, request, object_id, from_field=None) -> Any:
        article = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        before = getattr(request, _BEFORE_RESTORE, None)
        if article is not None and before is not None and article.version != before:
            Article.objects.filter(pk=article.pk).update(version=before)
            article.version = before
        return article

    # -- the edit lock -------------------------------------------------------

    @property
    def media(self):
        return super().media + forms.Media(  # type: ignore[misc]
            js=["articles/admin/edit-lock.js"], css={"all": ["articles/admin/concurrency.css"]}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            if request.method == "GET":
                lock = concurrency.edit_lock_renew(article=obj, user=request.user)
            else:
                lock = concurrency.edit_lock_state(article=obj, user=request.user)
            context["edit_lock"] = self._lock_context(obj, lock)
        return super().render_change_form(  # type: ignore[misc]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def response_change(self, request, obj):
        if "_continue" not in request.POST and "_saveandpreview" not in request.POST:
            # Saved and left the form: others need not wait for the lock to lapse.
            concurrency.edit_lock_release(article=obj, user=request.user)
        return super().response_change(request, obj)  # type: ignore[misc]

    def _lock_context(self, article: Article, lock: concurrency.LockState) -> dict:
        return {
            "state": lock,
            "url": reverse("admin:articles_article_edit_lock", args=[article.pk]),
            "heartbeat": concurrency.HEARTBEAT_SECONDS,
            "since": when(lock.since),
        }

    def get_urls(self):
        lock = path(
            "<int:pk>/edit-lock/",
            self.admin_site.admin_view(self.edit_lock_view),  # type: ignore[attr-defined]
            name="articles_article_edit_lock",
        )
        return [lock, *super().get_urls()]  # type: ignore[misc]

    def edit_lock_view(self, request, pk: int):
        """POST action=renew|take|release. Answers JSON with the banner to show (or, for a
        page without scripts, goes back to the form)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = get_object_or_404(Article, pk=pk)
        if not self.has_change_permission(request, article):  # type: ignore[attr-defined]
            raise PermissionDenied
        action = request.POST.get("action", "renew")
        if action == "release":
            concurrency.edit_lock_release(article=article, user=request.user)
            return JsonResponse({"held": False})
        if action == "take":
            lock = concurrency.edit_lock_take_over(article=article, user=request.user)
        elif action == "renew":
            lock = concurrency.edit_lock_renew(article=article, user=request.user)
        else:
            return HttpResponseBadRequest("The action is renew, take or release.")
        if request.headers.get("Accept", "").startswith("application/json"):
            banner = render_to_string(
                "admin/articles/article/_edit_lock.html",
                {"lock": self._lock_context(article, lock)},
                request=request,
            )
            return JsonResponse({"held": lock.held, "html": banner})
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
