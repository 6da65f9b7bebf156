"""The statistics pages, mounted under /admin/statistics/ (before admin.site.urls)."""

from django.contrib import admin
from django.urls import path

from . import views
from .digest_views import DigestPreviewView

app_name = "statistics"

urlpatterns = [
    path("", admin.site.admin_view(views.StatisticsView.as_view()), name="index"),
    path(
        "articles/<int:article_id>/",
        admin.site.admin_view(views.ArticleStatisticsView.as_view()),
        name="article",
    ),
    path("export.csv", admin.site.admin_view(views.StatisticsExportView.as_view()), name="export"),
    # Before the panels' pattern, which would take searches.csv for a panel's name.
    path(
        "export/searches.csv",
        admin.site.admin_view(views.SearchesExportView.as_view()),
        name="export_searches",
    ),
    path(
        "export/least-read.csv",
        admin.site.admin_view(views.LeastReadExportView.as_view()),
        name="export_least_read",
    ),
    path(
        "export/paths.csv",
        admin.site.admin_view(views.PathsExportView.as_view()),
        name="export_paths",
    ),
    path(
        "export/<str:panel>.csv",
        admin.site.admin_view(views.BreakdownExportView.as_view()),
        name="export_panel",
    ),
    path("live.json", admin.site.admin_view(views.LiveView.as_view()), name="live"),
    path("digest/", admin.site.admin_view(DigestPreviewView.as_view()), name="digest"),
]
