"""A stand-in for the editors' preview view, the way they will build it: the public
detail view with drafts allowed and `preview` in the context."""

from django.urls import include, path

from articles.models import Article
from articles.views import ArticleDetailView


class PreviewView(ArticleDetailView):
    def get_queryset(self):
        return Article.objects.select_related("author")

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


urlpatterns = [
    path("preview/<slug:slug>/", PreviewView.as_view(), name="preview"),
    path("", include("happyinnerself.urls")),
]
