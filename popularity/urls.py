from django.urls import path

from . import views

app_name = "popularity"

urlpatterns = [
    path("popular/", views.PopularView.as_view(), name="popular"),
    path("popular/<str:window>/", views.PopularView.as_view(), name="popular_window"),
]
