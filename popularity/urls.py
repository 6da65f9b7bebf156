from django.urls import path

from . import views
from .reports import ReadReportView
from .shared_views import SharedStatisticsView

app_name = "popularity"

urlpatterns = [
    path("popular/", views.PopularView.as_view(), name="popular"),
    path("popular/<str:window>/", views.PopularView.as_view(), name="popular_window"),
    path("popularity/read-depth/", ReadReportView.as_view(), name="read_depth"),
    path("popularity/shared/<str:token>/", SharedStatisticsView.as_view(), name="shared"),
]
