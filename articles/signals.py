"""Keep derived article data current after any write, whoever makes it.

Only these live in signals (everything else is an explicit service call):
- the search vector and reading time (articles.services.article_refresh_derived),
- the public pages' cache version (articles.cache), replaced after commit,
- deleting an article's cover renditions, which must follow every way of deleting it
  (including the admin's bulk delete, which never calls Article.delete()).
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from .cache import content_changed
from .models import Article, Section, TaggedArticle
from .renditions import rendition_names, renditions_delete
from .services import article_refresh_derived


def schedule_refresh(article_id: int) -> None:
    # Once per saved row: a form saving many sections refreshes a few times in a row, each
    # one statement, which is simpler than telling pending callbacks apart.
    transaction.on_commit(functools.partial(article_refresh_derived, article_id=article_id))


@receiver(post_save, sender=Article, dispatch_uid="article_refresh_on_save")
def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(instance.pk)


@receiver(post_save, sender=Section, dispatch_uid="section_refresh_on_save")
@receiver(post_delete, sender=Section, dispatch_uid="section_refresh_on_delete")
def _section_changed(sender, instance: Section, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(instance.article_id)


# ---------------------------------------------------------------------------
# Public page cache. Connected after the refresh above, so in any transaction the
# version is replaced after the derived fields are written (readers never get a page
# cached from the old reading time under the new version).


def schedule_content_changed() -> None:
    # Registered after the refresh of the same save, so the last new version of a
    # transaction starts after every derived field is written.
    transaction.on_commit(content_changed)


@receiver(post_save, sender=Article, dispatch_uid="article_cache_on_save")
@receiver(post_delete, sender=Article, dispatch_uid="article_cache_on_delete")
@receiver(post_save, sender=Section, dispatch_uid="section_cache_on_save")
@receiver(post_delete, sender=Section, dispatch_uid="section_cache_on_delete")
@receiver(post_save, sender=TaggedArticle, dispatch_uid="tagging_cache_on_save")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="tagging_cache_on_delete")
@receiver(post_save, sender=Tag, dispatch_uid="tag_cache_on_save")
@receiver(post_delete, sender=Tag, dispatch_uid="tag_cache_on_delete")
def _content_changed(sender, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_content_changed()


@receiver(post_save, sender=get_user_model(), dispatch_uid="author_cache_on_save")
def _author_changed(
    sender, instance, created: bool = False, raw: bool = False, update_fields=None, **kwargs
) -> None:
    # Author names are shown on pages; a new user or a login (last_login) changes nothing.
    if raw or created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    if instance.articles.exists():
        schedule_content_changed()


@receiver(post_delete, sender=Article, dispatch_uid="article_renditions_on_delete")
def _article_deleted(sender, instance: Article, **kwargs) -> None:
    if names := rendition_names(instance.cover_renditions or {}):
        storage = instance.cover.storage
        transaction.on_commit(lambda: renditions_delete(names=names, storage=storage))
