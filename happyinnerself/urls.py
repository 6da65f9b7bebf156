from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles.views import favicon_ico, robots_txt, sitemap_index, sitemap_section
from core import health
from core.media import media

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(f"{settings.ADMIN_URL}statistics/", include("popularity.dashboard_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon_ico, name="favicon"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap-section"),
    path("", include("articles.urls")),
    path("", include("popularity.urls")),
]

handler500 = "core.errors.server_error"

if settings.MEDIA_URL.startswith("/"):
    urlpatterns.append(path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", media))
