"""Keep derived article fields (search vector, reading time) current after any write.

Only this refresh lives in signals; everything else is an explicit service call.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Article, Section
from .services import article_refresh_derived


class _RefreshAfterCommit:
    """One refresh per article per transaction, however many sections were saved."""

    def __init__(self, article_id: int):
        self.article_id = article_id

    def __call__(self) -> None:
        article_refresh_derived(article_id=self.article_id)


def schedule_refresh(article_id: int) -> None:
    pending = (entry[1] for entry in connection.run_on_commit)
    if any(isinstance(f, _RefreshAfterCommit) and f.article_id == article_id for f in pending):
        return
    transaction.on_commit(_RefreshAfterCommit(article_id))


@receiver(post_save, sender=Article, dispatch_uid="article_refresh_on_save")
def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(instance.pk)


@receiver(post_save, sender=Section, dispatch_uid="section_refresh_on_save")
@receiver(post_delete, sender=Section, dispatch_uid="section_refresh_on_delete")
def _section_changed(sender, instance: Section, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(instance.article_id)
