"""The site's URLs plus the benchmark's baseline, so production's URLconf never carries it."""

from django.urls import path

from happyinnerself.urls import handler500
from happyinnerself.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [path("__bench__/baseline", views.baseline), *site_urlpatterns]

__all__ = ["handler500", "urlpatterns"]
