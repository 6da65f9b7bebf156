"""Article pages served through Django's page cache: a hit never reaches the view."""

from django.urls import include, path
from django.views.decorators.cache import cache_page

from articles.views import ArticleDetailView, ArticleListView

articles = (
    [
        path("", ArticleListView.as_view(), name="list"),
        path("articles/<slug:slug>/", cache_page(60)(ArticleDetailView.as_view()), name="detail"),
    ],
    "articles",
)
urlpatterns = [path("", include(articles)), path("", include("popularity.urls"))]
