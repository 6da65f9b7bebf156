"""The site's URLs plus an article rendered under another URL name, as a preview is."""

from django.urls import path

from articles.views import ArticleDetailView
from happyinnerself.urls import urlpatterns as site_urls

urlpatterns = [
    path("preview/<slug:slug>/", ArticleDetailView.as_view(), name="article_preview"),
    *site_urls,
]
