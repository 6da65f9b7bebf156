from django.apps import AppConfig
from taggit.apps import TaggitAppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    # This module holds more than one AppConfig (TopicsConfig below): say which is the app's,
    # or Django would fall back to a bare AppConfig and ready() would never connect signals.
    default = True
    verbose_name = "Articles"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (derived-field refresh)


class TopicsConfig(TaggitAppConfig):
    """django-taggit under the name editors know it by: the admin lists "Topics", not "Taggit".

    Same app label (taggit), so its tables, migrations and permissions are unchanged.
    """

    verbose_name = "Topics"
