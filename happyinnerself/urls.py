from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import Http404
from django.urls import include, path
from django.views.static import serve

from articles.cache import conditional_response
from articles.sitemaps import SITEMAPS
from articles.views import robots_txt


def sitemap_xml(request):
    return conditional_response(request, lambda: sitemap(request, sitemaps=SITEMAPS))


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
