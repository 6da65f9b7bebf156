from __future__ import annotations

from django.http import HttpRequest

from . import extensions


def page_extensions(request: HttpRequest) -> dict[str, list[str]]:
    """The templates other apps add to the readers' pages (articles.extensions)."""
    return {
        "sidebar_templates": extensions.sidebar_templates,
        "article_head_templates": extensions.article_head_templates,
    }
