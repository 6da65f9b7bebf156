"""Cached rankings are dropped as soon as an article changes (title, visibility, deletion)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article

from .rankings import rankings_invalidate


@receiver(post_save, sender=Article, dispatch_uid="popularity_rankings_on_save")
@receiver(post_delete, sender=Article, dispatch_uid="popularity_rankings_on_delete")
def _article_changed(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:
        transaction.on_commit(rankings_invalidate)
