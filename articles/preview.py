"""The editors' preview: any article on the public template, marked "Preview".

The staff preview is served only inside the admin (articles.admin routes it, so the admin's
staff check and login redirect guard it); a shared preview only to a signed link's holder.
Both have their own URL names, never `articles:detail`: a preview is never counted as a
view and never cached for readers.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from . import selectors
from .preview_links import article_for_preview_token
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


class SharedPreviewView(ArticlePreviewView):
    """/preview/<token>/: the same preview for anyone holding a signed, unexpired link
    (articles.preview_links), signed in or not. Any other token is a 404."""

    def get_object(self, queryset=None):
        article = article_for_preview_token(token=self.kwargs["token"])
        if article is None:
            raise Http404("This preview link has expired or was withdrawn.")
        return article

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The token is the key to the draft: never hand it on to a site the draft links to.
        response["Referrer-Policy"] = "no-referrer"
        return response
