from django.apps import AppConfig


class PopularityConfig(AppConfig):
    name = "popularity"
    verbose_name = "Popularity"

    def ready(self) -> None:
        from articles.cache import page_validators

        from . import checks, signals  # noqa: F401  (settings checks; ranking cache refresh)
        from .rankings import rankings_period

        # Public pages carry Popular Posts: their ETags must move when the rankings can.
        if rankings_period not in page_validators:
            page_validators.append(rankings_period)
