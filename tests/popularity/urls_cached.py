"""Article pages served through Django's page cache: a hit never reaches the view."""

from django.urls import include, path
from django.views.decorators.cache import cache_page

from articles import urls as article_urls
from happyinnerself.urls import urlpatterns as site_urls

# The site's own article URLs, with the detail page behind a full-response cache.
cached_articles = [
    path("articles/<slug:slug>/", cache_page(60)(pattern.callback), name="detail")
    if pattern.name == "detail"
    else pattern
    for pattern in article_urls.urlpatterns
]
urlpatterns = [path("", include((cached_articles, "articles"))), *site_urls]
