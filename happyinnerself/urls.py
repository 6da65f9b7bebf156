from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.urls import include, path
from django.views.static import serve

from articles.cache import cache_key, conditional_response, content_state
from articles.sitemaps import SITEMAPS
from articles.views import robots_txt


def sitemap_xml(request):
    """The sitemap, kept whole per content version like the feeds."""
    state = content_state(request)
    key = cache_key(state, "sitemap", request.scheme, request.get_host())

    def render() -> HttpResponse:
        body = cache.get(key)
        if body is None:
            body = sitemap(request, sitemaps=SITEMAPS).render().content
            cache.set(key, body, settings.ARTICLES_CACHE_SECONDS)
        response = HttpResponse(body, content_type="application/xml")
        response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's view does
        return response

    return conditional_response(request, render, state)


def media(request, path: str):
    """Uploaded files, in development and browser tests only (production uses a proxy)."""
    if not (settings.DEBUG or settings.SERVE_MEDIA):
        raise Http404("Media are served by the web server.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap_xml, name="sitemap"),
    path("", include("articles.urls")),
]

if settings.MEDIA_URL.startswith("/"):
    urlpatterns.append(path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", media))
