from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import pluralize

from popularity.engaged import duration_text
from popularity.rankings import Window, popular_url, ranking_cached
from popularity.tokens import read_token_make

register = template.Library()


@register.inclusion_tag("popularity/_widget.html", takes_context=True)
def popular_posts(context, window: str = "", limit: int = 0) -> dict:
    """The sidebar's Popular Posts: one query on a cache miss, none on a hit.

    After an article, never an article the page already shows (`shown_article_ids`, see
    articles.extensions; at least the one being read): as many more are ranked as are
    left out, so the box stays full.
    """
    window = Window(window or settings.POPULARITY_WIDGET_WINDOW)
    size = limit or settings.POPULARITY_WIDGET_SIZE
    shown = set(context.get("shown_article_ids") or ())
    reading = getattr(context.get("article"), "pk", None)
    if reading is not None:
        shown.add(reading)
    ranked = ranking_cached(window=window, limit=size + len(shown), request=context.get("request"))
    return {
        "window": window,
        "articles": [article for article in ranked if article.id not in shown][:size],
    }


register.simple_tag(popular_url, name="popular_url")


@register.simple_tag
def views_note(article, window: str) -> str:
    """What a ranking's card says of its views: "1,204 views", "about 3 views" for the last
    24 hours (an estimate), nothing for trending (a score, not a count)."""
    if article.views is None:
        return ""
    count = f"{intcomma(article.views)} view{pluralize(article.views)}"
    return f"about {count}" if window == Window.DAY else count


@register.simple_tag
def read_depth_token(article_id: int) -> str:
    """The page's signed read-depth token (article and day; no query, same for every reader)."""
    return read_token_make(article_id=article_id)


@register.filter
def engaged_time(seconds: float | None) -> str:
    """Engaged seconds as "45 s", "3 min 20 s", "30 min or more", or "—"."""
    return duration_text(seconds)
