"""The article's history: comparing revisions, and restoring one without unpublishing by surprise.

django-reversion restores a revision by writing it back inside a transaction and showing
the ordinary change form filled from it. A revision is the article's content *and* its
place on the site, so restoring a draft-era revision of a live article showed the form with
"Draft" chosen, and saving it took the article down. Here the content comes back while the
address, status, publication date and featured flag stay as they are now, shown on the form
so the editor can still choose otherwise; the message after saving says what happened.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from reversion.models import Version

from ..models import Article
from .compare import article_diff
from .display import when

# Where an article stands on the site, as opposed to what it says.
PLACE_FIELDS = (
    "slug",
    "status",
    "published_at",
    "featured",
    "expires_at",
    "expired_redirect_id",
)
# The request carries the article's current place through django-reversion's revert view
# to get_object(), which fills the restored form with it.
_KEEP = "article_revert_keeps"


def standing(article: Article) -> str:
    """Where the article stands, in an editor's words: "published (since 2 Mar 2026, 09:00)"."""
    if article.is_scheduled:
        return f"scheduled for {when(article.published_at)}"
    if article.is_public:
        return f"published (since {when(article.published_at)})"
    return "a draft"


class ArticleHistoryMixin:
    """For ArticleAdmin (a django-reversion-compare admin): the history page, the comparison
    of two revisions in the article's own terms, and restoring content while keeping the
    article's place."""

    object_history_template = "admin/articles/article/object_history.html"
    compare_template = "admin/articles/article/compare.html"
    revision_form_template = "admin/articles/article/revision_form.html"
    # The admin's own list: its object tools (change_list_object_tools.html) offer
    # "Recover deleted articles" only to those allowed to (django-reversion's offers it to all).
    change_list_template = "admin/change_list.html"

    def has_recover_permission(self, request) -> bool:
        """Bringing back a deleted article undoes a deletion: for those who may delete."""
        return self.has_add_permission(request) and self.has_delete_permission(request)  # type: ignore[attr-defined]

    def changelist_view(self, request, extra_context=None):
        context = {"has_recover_permission": self.has_recover_permission(request)}
        return super().changelist_view(request, {**context, **(extra_context or {})})  # type: ignore[misc]

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)  # type: ignore[misc]

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)  # type: ignore[misc]

    def compare(self, obj: Article, version1: Version, version2: Version):
        # django-reversion-compare's hook: its compare view passes what this returns to the
        # template as compare_data (version1 is always the older revision).
        return article_diff(obj, version1, version2), False

    def revision_view(self, request, object_id, version_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if article is None:
            return super().revision_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
        version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
        then = Article(**{name: version.field_dict.get(name) for name in PLACE_FIELDS})
        setattr(request, _KEEP, {name: getattr(article, name) for name in PLACE_FIELDS})
        context = {
            "revision_date": when(version.revision.date_created),
            "revision_user": version.revision.user,
            "standing_now": standing(article),
            "standing_then": standing(then),
            **(extra_context or {}),
        }
        response = super().revision_view(request, object_id, version_id, context)  # type: ignore[misc]
        if request.method == "POST" and response.status_code == 302:
            article.refresh_from_db()
            messages.success(
                request,
                f"Restored the title, text, sections and tags saved on {context['revision_date']}. "
                f"The article is {standing(article)}"
                + (", as before." if standing(article) == context["standing_now"] else "."),
            )
        return response

    def get_object(self, request, object_id, from_field=None) -> Any:
        article = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        keep = getattr(request, _KEEP, None)
        if article is not None and keep:
            # Called inside the revert, on the article just written back from the revision.
            for name, value in keep.items():
                setattr(article, name, value)
        return article
