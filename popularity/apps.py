from django.apps import AppConfig


class PopularityConfig(AppConfig):
    name = "popularity"
    verbose_name = "Popularity"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (clears cached rankings when an article changes)
