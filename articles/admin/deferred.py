"""Deferred validation (Wagtail's): a draft saves with what only publishing needs still missing.

An editor writing a first draft should never lose it to "This field is required". What
readers would see wrong is checked when the article is published or scheduled (status
"published", now or at a later time): the standfirst (lists, search results and social
cards show it), a first section that is a heading (H2), and no heading typed as text in a
body. What the database or the site itself needs is checked on every save: a title, an
address (slug), alt text with a cover, section headings, a primary tag among the tags.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from ..models import Article

STANDFIRST_REQUIRED = (
    "A published or scheduled article needs a standfirst: lists, search results and "
    "social cards show it. (A draft can be saved without one.)"
)

NOT_READY = "draft(s) not published: they need a standfirst first (open each to add it)."


def for_publishing(article: Article | None) -> bool:
    """Whether this save publishes (or schedules) the article: its publishing rules apply."""
    return article is not None and article.status == Article.Status.PUBLISHED


def publishing_errors(cleaned: dict) -> dict[str, ValidationError]:
    """The article form's fields that publishing needs and a draft may leave for later."""
    if cleaned.get("status") != Article.Status.PUBLISHED:
        return {}
    errors = {}
    if not (cleaned.get("standfirst") or "").strip():
        errors["standfirst"] = ValidationError(STANDFIRST_REQUIRED, code="required_to_publish")
    return errors


def ready_to_publish(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Those of these articles that may be published as they stand (the database agrees)."""
    return articles.exclude(standfirst="")
