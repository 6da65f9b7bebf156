"""Former addresses of renamed articles."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..models import SlugRedirect


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Former addresses of renamed articles. They are made by renaming, never by hand, so
    the list is read-only; a site owner may delete one to give the address up."""

    list_display = ["old_address", "article_link", "created_at"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__title", "article__slug"]
    date_hierarchy = "created_at"

    @admin.display(description="Former address", ordering="old_slug")
    def old_address(self, obj: SlugRedirect) -> str:
        return reverse("articles:detail", kwargs={"slug": obj.old_slug})

    @admin.display(description="Now answers with", ordering="article__title")
    def article_link(self, obj: SlugRedirect) -> str:
        change = reverse("admin:articles_article_change", args=[obj.article_id])
        return format_html(
            '<a href="{}">{}</a> <span class="quiet">({})</span>',
            change,
            obj.article.title,
            obj.article.get_absolute_url(),
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
