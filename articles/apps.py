from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (deployment checks; derived-field refresh)
