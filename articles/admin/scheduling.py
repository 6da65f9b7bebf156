"""Change what is live, on time: the unpublish fields, and scheduled updates of live articles.

A scheduled update's pending version is a draft copy of the article (articles.scheduling),
edited on the ordinary change form, with only what an update changes (title, standfirst,
sections, tags); its page here sets when it goes live, or cancels it.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .. import scheduling
from ..models import Article, ArticleUpdate
from .display import when

#: What a scheduled update leaves alone: its pending version's form does not show them.
NOT_UPDATED = frozenset(
    {
        "slug",
        "cover",
        "cover_alt",
        "cover_caption",
        "status",
        "published_at",
        "visibility",
        "featured",
        "author",
        "expires_at",
        "expired_redirect",
    }
)


class NamedSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with a name screen readers can say."""

    def __init__(self, name: str, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = f"{name} date"
        self.widgets[1].attrs["aria-label"] = f"{name} time"


class ArticleAutocomplete(AutocompleteSelect):
    """The admin's article autocomplete, named for screen readers: select2 labels its box
    with the text shown in it (the placeholder when empty), and that text's own box with
    its field's label (scheduling.js)."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = "Type to find an article"
        attrs["class"] += " article-autocomplete"
        return attrs

    @property
    def media(self):
        return super().media + forms.Media(js=["articles/admin/scheduling.js"])


class GoLiveForm(forms.Form):
    go_live_at = forms.SplitDateTimeField(
        label="Goes live at",
        widget=NamedSplitDateTime("Go-live"),
        help_text="Readers see the current version until this minute, then the new one.",
    )

    def clean_go_live_at(self):
        moment = self.cleaned_data["go_live_at"]
        if moment <= timezone.now():
            raise forms.ValidationError("Choose a time in the future.", code="past")
        return moment


class ScheduleAdminMixin:
    """For ArticleAdmin: listed before the reversion admin, after its own methods."""

    # -- the change form -----------------------------------------------------

    def _update_of(self, request, obj) -> ArticleUpdate | None:
        if obj is None or obj.pk is None or obj.status != Article.Status.DRAFT:
            return None
        cache = request.__dict__.setdefault("_article_update_of", {})
        if obj.pk not in cache:
            cache[obj.pk] = scheduling.article_update_of_draft(draft=obj)
        return cache[obj.pk]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if self._update_of(request, obj) is not None:
            # A pending version: only the words an update changes.
            return [
                ("Tags" if name == "Publishing" else name, {**options, "fields": kept})
                for name, options in fieldsets
                if (kept := [f for f in options["fields"] if f not in NOT_UPDATED])
            ]
        return [
            *fieldsets,
            (
                "Unpublishing",
                {
                    "fields": ["expires_at", "expired_redirect"],
                    "description": "Optional: take the article down by itself at a set time.",
                },
            ),
        ]

    def get_prepopulated_fields(self, request, obj=None):
        if self._update_of(request, obj) is not None:
            return {}
        return super().get_prepopulated_fields(request, obj)  # type: ignore[misc]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "expires_at":
            kwargs["widget"] = NamedSplitDateTime("Unpublish")
        if db_field.name == "expired_redirect":
            kwargs["widget"] = ArticleAutocomplete(db_field, self.admin_site)  # type: ignore[attr-defined]
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and obj.pk is not None:
            update_of = self._update_of(request, obj)  # a draft's one query
            published = obj.status == Article.Status.PUBLISHED
            context["scheduling"] = {
                "update_of": update_of,
                "pending": scheduling.article_update_pending(article=obj) if published else None,
                "can_prepare": obj.is_public,  # a scheduled article is edited as it is
                "page": reverse("admin:articles_article_scheduled_update", args=[obj.pk]),
            }
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)  # type: ignore[misc]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)  # type: ignore[misc]
        match = request.resolver_match
        if match is not None and match.url_name == "articles_article_changelist":
            # Pending versions are reached from their article, never listed as articles.
            queryset = queryset.filter(update_draft_of__isnull=True)
        return queryset

    # -- the scheduled update page --------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/scheduled-update/",
                self.admin_site.admin_view(self.scheduled_update_view),  # type: ignore[attr-defined]
                name="articles_article_scheduled_update",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def scheduled_update_view(self, request, pk: int):
        article = Article.objects.filter(pk=pk).first()
        if article is None:
            raise Http404("No such article.")
        if not self.has_change_permission(request, article):  # type: ignore[attr-defined]
            raise PermissionDenied
        # Opened from a pending version: the page of the article it updates.
        if (update_of := scheduling.article_update_of_draft(draft=article)) is not None:
            article = update_of.article
        pending = scheduling.article_update_pending(article=article)
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if pending is None and article.status != Article.Status.PUBLISHED:
            messages.error(request, "Only a published article can have a scheduled update.")
            return HttpResponseRedirect(change_url)
        if request.method == "POST" and "_cancel" in request.POST and pending is not None:
            scheduling.article_update_cancel(update=pending)
            messages.success(request, "The scheduled update was cancelled; nothing changed.")
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            form = GoLiveForm(request.POST)
            if form.is_valid():
                return self._schedule(request, article, pending, form.cleaned_data["go_live_at"])
        else:
            start = timezone.localtime() + timedelta(hours=1)
            default = start.replace(minute=0, second=0, microsecond=0)
            form = GoLiveForm(initial={"go_live_at": pending.go_live_at if pending else default})
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.opts,  # type: ignore[attr-defined]
            "title": f"Scheduled update of “{article}”",
            "article": article,
            "pending": pending,
            "form": form,
            "media": self.media + form.media,  # type: ignore[attr-defined]
        }
        return TemplateResponse(request, "admin/articles/article/scheduled_update.html", context)

    def _schedule(self, request, article: Article, pending: ArticleUpdate | None, moment):
        if pending is not None:
            scheduling.article_update_reschedule(update=pending, go_live_at=moment)
            messages.success(request, f"The update now goes live at {when(moment)}.")
            return HttpResponseRedirect(request.path)
        update = scheduling.article_update_prepare(
            article=article, go_live_at=moment, user=request.user
        )
        messages.success(
            request,
            f"Write the new version here: readers keep the current one until {when(moment)}.",
        )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[update.draft_id])
        )
