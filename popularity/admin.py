"""The views columns in the articles admin: popularity registers the Article admin anew, as a
subclass that adds them, so articles never needs to know this app exists."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from articles.admin import ArticleAdmin
from articles.models import Article

from .models import DayNote
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

    @admin.display(description="Views, 7 days", ordering="views_7d")
    def views_7d(self, obj: Any) -> int:  # an Article annotated by annotate_view_totals
        return obj.views_7d

    @admin.display(description="Views, all time", ordering="views_total")
    def views_total(self, obj: Any) -> int:
        return obj.views_total


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
