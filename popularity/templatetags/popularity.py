from django import template
from django.conf import settings

from popularity.rankings import Window, ranking_cached
from popularity.tokens import read_token_make

register = template.Library()


@register.inclusion_tag("popularity/_widget.html", takes_context=True)
def popular_posts(context, window: str = "", limit: int = 0) -> dict:
    """The sidebar's Popular Posts: one query on a cache miss, none on a hit."""
    window = Window(window or settings.POPULARITY_WIDGET_WINDOW)
    articles = ranking_cached(
        window=window,
        limit=limit or settings.POPULARITY_WIDGET_SIZE,
        request=context.get("request"),
    )
    return {"window": window, "articles": articles}


@register.filter
def signed(value: float | None, places: int = 1) -> str:
    """A change with its sign: +12.5, -3.0 (the CSV writes the same)."""
    if value is None:
        return ""
    return f"{value:+.{int(places)}f}"


@register.simple_tag
def read_depth_token(article_id: int) -> str:
    """The page's signed read-depth token (article and day; no query, same for every reader)."""
    return read_token_make(article_id=article_id)
