"""The views columns in the articles admin: popularity registers the Article admin anew, as a
subclass that adds them, so articles never needs to know this app exists."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from articles.admin import ArticleAdmin
from articles.models import Article

from .models import DayNote, SharedStatsLink
from .sharing import shared_link_path, shared_links_revoke
from .totals import annotate_view_totals

# The counts go right after the publication date, where editors look for them.
_AFTER_PUBLISHED = ArticleAdmin.list_display.index("published_at") + 1


class ArticleWithViewsAdmin(ArticleAdmin):
    list_display = [
        *ArticleAdmin.list_display[:_AFTER_PUBLISHED],
        "views_7d",
        "views_total",
        *ArticleAdmin.list_display[_AFTER_PUBLISHED:],
    ]

    def get_queryset(self, request):
        # Annotations: sortable columns, no extra query per row.
        return annotate_view_totals(super().get_queryset(request))

    # Grouped thousands, as on the statistics pages.
    @admin.display(description="Views, 7 days", ordering="views_7d")
    def views_7d(self, obj: Any) -> str:  # an Article annotated by annotate_view_totals
        return intcomma(obj.views_7d)

    @admin.display(description="Views, all time", ordering="views_total")
    def views_total(self, obj: Any) -> str:
        return intcomma(obj.views_total)


admin.site.unregister(Article)
admin.site.register(Article, ArticleWithViewsAdmin)


@admin.register(DayNote)
class DayNoteAdmin(admin.ModelAdmin):
    """Site owners' notes on days, shown in the statistics' daily numbers."""

    list_display = ["day", "text", "article", "created_by"]
    list_filter = [("article", admin.EmptyFieldListFilter)]
    search_fields = ["text"]
    date_hierarchy = "day"
    autocomplete_fields = ["article"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class SharedLinkStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        live = Q(revoked_at__isnull=True)
        if self.value() == "active":
            return queryset.filter(live, Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        if self.value() == "expired":
            return queryset.filter(live, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(SharedStatsLink)
class SharedStatsLinkAdmin(admin.ModelAdmin):
    """Site owners give out read-only links to the statistics, and revoke them."""

    # Few, short columns: the state (revoked or not) must show without scrolling sideways.
    list_display = ["label", "shows", "state", "created_at"]
    list_select_related = ["article", "tag"]
    list_filter = ["scope", SharedLinkStateFilter]
    search_fields = ["label", "article__title", "tag__name"]
    autocomplete_fields = ["article", "tag"]
    fields = ["label", "scope", "article", "tag", "expires_at", "link", "state"]
    readonly_fields = ["link", "state"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # What a link shows is fixed once it is given out: make another for something else.
        if obj is not None:
            return ["label", "scope", "article", "tag", "expires_at", "link", "state"]
        return ["link", "state"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["label", "scope", "article", "tag", "expires_at"]
        return self.fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: the record of what was shared stays

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_post_save_add(self, request, obj):
        # Straight to the new link's page: the address to send is there.
        return HttpResponseRedirect(
            reverse("admin:popularity_sharedstatslink_change", args=[obj.pk])
        )

    @admin.display(description="Shows", ordering="scope")
    def shows(self, obj: SharedStatsLink) -> str:
        if obj.article is not None:
            return f"Article: {obj.article.title}"
        if obj.tag is not None:
            return f"Topic: {obj.tag.name}"
        return "The whole site"

    @admin.display(description="State")
    def state(self, obj: SharedStatsLink) -> str:
        if obj.revoked_at:
            return f"Revoked {timezone.localtime(obj.revoked_at):%-d %b %Y %H:%M}"
        if obj.expires_at and obj.expires_at <= timezone.now():
            return "Expired"
        return "Active"

    @admin.display(description="Link")
    def link(self, obj: SharedStatsLink) -> str:
        if obj.pk is None or self.state(obj) != "Active":
            return "—"
        url = settings.SITE_URL.rstrip("/") + shared_link_path(link=obj)
        return format_html('<a href="{}" rel="noreferrer">{}</a>', url, url)

    @admin.action(description="Revoke the selected links", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        revoked = shared_links_revoke(links=queryset)
        self.message_user(
            request, f"{revoked} link{'s' if revoked != 1 else ''} revoked.", messages.SUCCESS
        )
