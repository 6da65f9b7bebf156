"""Reads that span relations. Every public read starts from Article.objects.published()."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Article, Section


def article_list_public() -> QuerySet[Article]:
    """Published articles, newest first, with their tags in one extra query."""
    return Article.objects.published().select_related("author").prefetch_related("tags")


def article_detail_public() -> QuerySet[Article]:
    """Published articles with sections (in order) and tags prefetched."""
    return (
        Article.objects.published()
        .select_related("author")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("position")),
            "tags",
        )
    )
