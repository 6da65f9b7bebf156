"""Never lose work: the article form autosaves while the editor writes, and offers it back.

articles/static/articles/admin/autosave.js sends the form here every few seconds of idle
time (and keeps a copy in the browser for when the network is gone); the change form offers
the newest unsaved copy with "Restore" / "Discard" (templates/admin/articles/article/
_autosave.html). Nothing here touches the article: see articles.autosaves.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from .. import autosaves
from ..models import Article
from .display import when

#: The add form's hidden field that names its draft, so a successful add deletes its autosave.
DRAFT_KEY_FIELD = "_autosave_key"


class ArticleAutosaveMixin:
    """For ArticleAdmin: the autosave endpoints, the offer on the form, cleanup on save."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"  # type: ignore[attr-defined]
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path("autosave/", wrap(self.autosave_view), name=f"{prefix}_autosave"),
            path(
                "autosave/discard/",
                wrap(self.autosave_discard_view),
                name=f"{prefix}_autosave_discard",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    # -- the endpoints: POST JSON {"article": pk or null, "key": ..., "data": [...]} ----

    def _autosave_target(self, request) -> tuple[Article | None, autosaves.AutosaveRequest]:
        if len(request.body) > autosaves.AUTOSAVE_MAX_BYTES:
            raise _TooLarge
        try:
            payload = json.loads(request.body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise autosaves.AutosaveRejected("Expected JSON.") from None
        if not isinstance(payload, dict):
            raise autosaves.AutosaveRejected("Expected a JSON object.")
        pk = payload.get("article")
        if pk is None:
            if not self.has_add_permission(request):  # type: ignore[attr-defined]
                raise PermissionDenied
            article = None
        else:
            if not isinstance(pk, int) or isinstance(pk, bool):
                raise autosaves.AutosaveRejected("article: an id or null.")
            article = get_object_or_404(Article, pk=pk)
            if not self.has_change_permission(request, article):  # type: ignore[attr-defined]
                raise PermissionDenied
        if payload.get("discard") is True:
            payload = {**payload, "data": []}
        return article, autosaves.autosave_parse(payload=payload)

    def _autosave_respond(self, request, act):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            article, parsed = self._autosave_target(request)
        except _TooLarge:
            return JsonResponse(
                {"error": f"At most {autosaves.AUTOSAVE_MAX_BYTES} bytes."}, status=413
            )
        except autosaves.AutosaveRejected as error:
            return HttpResponseBadRequest(
                json.dumps({"error": str(error)}), content_type="application/json"
            )
        return act(article, parsed)

    def autosave_view(self, request):
        def store(article, parsed):
            autosave = autosaves.autosave_store(user=request.user, article=article, request=parsed)
            return JsonResponse(
                {"saved_at": autosave.saved_at.isoformat(), "when": when(autosave.saved_at)}
            )

        return self._autosave_respond(request, store)

    def autosave_discard_view(self, request):
        def discard(article, parsed):
            deleted = autosaves.autosave_discard(
                user=request.user, article=article, draft_key=parsed.draft_key
            )
            return JsonResponse({"discarded": deleted})

        return self._autosave_respond(request, discard)

    # -- the form: what to offer, and forgetting it once saved -----------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.resolver_match and request.resolver_match.url_name in {
            f"{self.opts.app_label}_{self.opts.model_name}_add",  # type: ignore[attr-defined]
            f"{self.opts.app_label}_{self.opts.model_name}_change",  # type: ignore[attr-defined]
        }:
            context["autosave"] = self._autosave_context(request, obj)
        return super().render_change_form(  # type: ignore[misc]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def _autosave_context(self, request, obj: Article | None) -> dict:
        offer = autosaves.autosave_offer(user=request.user, article=obj)
        return {
            "config": {
                "url": reverse("admin:articles_article_autosave"),
                "discardUrl": reverse("admin:articles_article_autosave_discard"),
                "article": obj.pk if obj else None,
                # What the browser's own copy was made from: a later save makes it stale.
                "base": obj.updated_at.isoformat() if obj else "",
                "user": request.user.pk,
                "keyField": DRAFT_KEY_FIELD,
                # Typed again after errors: what the page shows is newer than any autosave.
                "posted": request.method == "POST",
                "offer": None
                if offer is None or request.method == "POST"
                else {
                    "key": offer.draft_key,
                    "savedAt": offer.saved_at.isoformat(),
                    "when": when(offer.saved_at),
                    "data": offer.data,
                },
            }
        }

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        autosaves.autosaves_saved(
            article=form.instance,
            user=request.user,
            draft_key=str(request.POST.get(DRAFT_KEY_FIELD, ""))[:64],
        )


class _TooLarge(Exception):
    pass
