from django import template
from django.conf import settings

from popularity.rankings import Window, popular_url, ranking_cached
from popularity.tokens import read_token_make

register = template.Library()


@register.inclusion_tag("popularity/_widget.html", takes_context=True)
def popular_posts(context, window: str = "", limit: int = 0) -> dict:
    """The sidebar's Popular Posts: one query on a cache miss, none on a hit.

    Beside an article, never that article: one more is ranked (the same cached ranking on
    every article page) and the one being read is left out.
    """
    window = Window(window or settings.POPULARITY_WIDGET_WINDOW)
    size = limit or settings.POPULARITY_WIDGET_SIZE
    reading = getattr(context.get("article"), "pk", None)
    ranked = ranking_cached(window=window, limit=size + 1, request=context.get("request"))
    return {
        "window": window,
        "articles": [article for article in ranked if article.id != reading][:size],
    }


register.simple_tag(popular_url, name="popular_url")


@register.simple_tag
def read_depth_token(article_id: int) -> str:
    """The page's signed read-depth token (article and day; no query, same for every reader)."""
    return read_token_make(article_id=article_id)
