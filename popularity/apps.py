from django.apps import AppConfig
from django.db.models.signals import post_delete


class PopularityConfig(AppConfig):
    name = "popularity"
    verbose_name = "Popularity"

    def ready(self) -> None:
        from articles import extensions
        from articles.cache import page_validators
        from articles.models import Article

        from . import checks  # noqa: F401  (settings checks)
        from .closed_days import article_deleted
        from .rankings import rankings_period

        # Public pages carry Popular Posts: their ETags must move when the rankings can.
        if rankings_period not in page_validators:
            page_validators.append(rankings_period)
        # Its boxes and scripts on the readers' pages, which articles knows only by name.
        for slot, name in (
            (extensions.sidebar_templates, "popularity/_popular_posts.html"),
            (extensions.article_head_templates, "popularity/_read_depth_script.html"),
        ):
            if name not in slot:
                slot.append(name)
        # An article's counts go with it: the sums kept of ended days must too.
        post_delete.connect(article_deleted, sender=Article, dispatch_uid="closed-days")
