from django.apps import AppConfig


class PopularityConfig(AppConfig):
    name = "popularity"
    verbose_name = "Popularity"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (settings checks; ranking cache refresh)
