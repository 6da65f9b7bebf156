from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(f"{settings.ADMIN_URL}statistics/", include("popularity.dashboard_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("articles.urls")),
    path("", include("popularity.urls")),
]

if settings.BENCH_BASELINE_FILE:
    from . import bench_views

    urlpatterns.insert(0, path("__bench__/baseline", bench_views.baseline))

handler500 = "happyinnerself.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
