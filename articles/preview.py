"""The editors' preview: any article on the public template, marked "Preview".

Served only inside the admin (articles.admin routes it, so the admin's staff check and login
redirect guard it) under its own URL name, never `articles:detail`: a preview is never
counted as a view and never cached for readers.
"""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from . import selectors
from .views import ArticleDetailView


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(ArticleDetailView):
    pk_url_kwarg = "pk"
    public = False

    def get_queryset(self):
        return selectors.article_for_preview()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"preview": True}

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
