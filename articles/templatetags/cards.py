"""The one card every list of articles uses (templates/articles/_card.html)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

register = template.Library()

#: Topic pills on a card: enough to say where it is filed, never a row of clutter.
CARD_TOPICS = 2


@register.simple_tag
def card_topics(article, topic=None) -> list:
    """At most two of the article's topics for its card, never `topic` (the topic of the
    page the card is shown on): the one it is filed under first, then by name.

    Reads the tags prefetched with the list (no query); an object without tags (a ranking
    row) has none.
    """
    manager = getattr(article, "tags", None)
    if manager is None:
        return []
    tags: Iterable = manager.all()
    shown_on = getattr(topic, "pk", None)
    primary = getattr(article, "primary_tag_id", None)
    kept = [tag for tag in tags if tag.pk != shown_on]
    kept.sort(key=lambda tag: (tag.pk != primary, tag.name.casefold()))
    return kept[:CARD_TOPICS]
