"""The disclaimer and help resources (one page for site owners), and sensitive tags (editors
mark them on the tag's own page)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from ..models import HelpResource, TagSettings, TrustSettings


class HelpResourceInline(admin.StackedInline):
    model = HelpResource
    extra = 0
    fields = ["position", "name", "description", "phone", "url"]
    # A bare "example.org" typed by an owner is taken as https://, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    verbose_name = "help resource"
    verbose_name_plural = "Help resources (the 'If you need help now' box, in this order)"


@admin.register(TrustSettings)
class TrustSettingsAdmin(admin.ModelAdmin):
    """The site has one row: its list opens that row's page, which cannot be deleted."""

    inlines = [HelpResourceInline]
    fieldsets = [
        ("Medical disclaimer", {"fields": ["disclaimer"]}),
        ("If you need help now", {"fields": ["help_introduction"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # the admin's refusal
        row = TrustSettings.load()
        return HttpResponseRedirect(reverse("admin:articles_trustsettings_change", args=[row.pk]))

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TagSettingsInline(admin.StackedInline):
    model = TagSettings
    can_delete = False
    max_num = 1
    verbose_name = verbose_name_plural = "Reader safety"


class SensitiveFilter(admin.SimpleListFilter):
    title = "sensitive"
    parameter_name = "sensitive"

    def lookups(self, request, model_admin):
        return [("yes", "Sensitive"), ("no", "Not sensitive")]

    def queryset(self, request, queryset):
        sensitive = Q(settings__sensitive=True)
        if self.value() == "yes":
            return queryset.filter(sensitive)
        if self.value() == "no":
            return queryset.exclude(sensitive)
        return queryset


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(TaggitTagAdmin):
    """django-taggit's tag admin, with whether articles under the tag show the help box."""

    inlines = [*TaggitTagAdmin.inlines, TagSettingsInline]
    list_display = [*TaggitTagAdmin.list_display, "is_sensitive"]
    list_filter = [SensitiveFilter]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(is_sensitive=Coalesce("settings__sensitive", False))
        )

    @admin.display(description="Sensitive", boolean=True, ordering="is_sensitive")
    def is_sensitive(self, obj: Tag) -> bool:
        return obj.is_sensitive  # type: ignore[attr-defined]  # annotated above
