"""Keep derived article data current after any write, whoever makes it.

Only these live in signals (everything else is an explicit service call):
- the search vector, snippet passages and reading time (articles.services.articles_refresh_derived),
  after commit, also when the article's tags or sources change; then the versions of the
  pages showing what changed (articles.cache.articles_changed): the article's own page,
  search, feeds and sitemaps, and every page listing articles only when what lists and
  cards show of it changed,
- every version of the public pages (articles.cache.content_changed), replaced after commit
  when what many pages show changes: a tag's name, authors, bylines, the disclaimer, the
  help resources, a tag's sensitivity,
- deleting an article's cover renditions, which must follow every way of deleting it
  (including the admin's bulk delete, which never calls Article.delete()), and an author's
  photo with its renditions.
"""

from __future__ import annotations

import threading

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from .cache import articles_changed, content_changed
from .models import (
    Article,
    ArticleAuthor,
    AuthorLink,
    AuthorProfile,
    HelpResource,
    Section,
    Source,
    TaggedArticle,
    TagSettings,
    TrustSettings,
)
from .renditions import rendition_names, renditions_delete
from .services import articles_refresh_derived

# Articles whose derived fields wait for the commit, per thread (Django's connections are
# per thread). Each save asks for a refresh after commit; the first to run refreshes every
# article waiting in one UPDATE, the others find nothing left, however many sections were
# saved. An id left by a rolled-back transaction is refreshed with the next one's
# (harmless: the same values are computed again).
_waiting = threading.local()


def _refresh_waiting() -> None:
    ids, _waiting.ids = getattr(_waiting, "ids", set()), set()
    if ids:
        refreshed = articles_refresh_derived(article_ids=sorted(ids))
        # Then new versions, once the derived fields are written (readers never get a page
        # kept from the old reading time under the new version). An article gone (deleted)
        # leaves the lists it was on.
        listed = len(refreshed) < len(ids) or any(r.listed_changed for r in refreshed.values())
        articles_changed(slugs=[r.slug for r in refreshed.values()], listed=listed)


def schedule_refresh(article_id: int) -> None:
    _waiting.ids = getattr(_waiting, "ids", set()) | {article_id}
    transaction.on_commit(_refresh_waiting)


@receiver(post_save, sender=Article, dispatch_uid="article_refresh_on_save")
@receiver(post_delete, sender=Article, dispatch_uid="article_refresh_on_delete")
def _article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:  # after a delete, the refresh deletes its search passages
        schedule_refresh(instance.pk)


@receiver(post_save, sender=Section, dispatch_uid="section_refresh_on_save")
@receiver(post_delete, sender=Section, dispatch_uid="section_refresh_on_delete")
# Sources are not searched, but the cached text shows them: derived_at keys that cache.
@receiver(post_save, sender=Source, dispatch_uid="source_refresh_on_save")
@receiver(post_delete, sender=Source, dispatch_uid="source_refresh_on_delete")
def _section_changed(sender, instance: Section | Source, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(instance.article_id)


# Tag names are in the search vector: adding, removing or renaming a tag refreshes its
# articles (taggit's add() and remove() send m2m_changed; deletes send post_delete).
@receiver(m2m_changed, sender=TaggedArticle, dispatch_uid="tagging_refresh_on_change")
def _tags_changed(sender, instance, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Article):
        schedule_refresh(instance.pk)


@receiver(post_save, sender=TaggedArticle, dispatch_uid="tagging_refresh_on_save")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="tagging_refresh_on_delete")
def _tagging_changed(sender, instance: TaggedArticle, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(instance.content_object_id)


@receiver(post_save, sender=Tag, dispatch_uid="tag_refresh_on_save")
def _tag_saved(sender, instance: Tag, created: bool = False, raw: bool = False, **kwargs) -> None:
    if raw or created:
        return
    tagged = TaggedArticle.objects.filter(tag=instance).values_list("content_object_id", flat=True)
    for article_id in tagged:
        schedule_refresh(article_id)


# ---------------------------------------------------------------------------
# Everything public: what many pages show beyond one article's own rows.


def _content_changed_waiting() -> None:
    if getattr(_waiting, "content", False):
        _waiting.content = False
        content_changed()


def schedule_content_changed() -> None:
    # As the refresh above: however many rows a transaction saves, one set of new
    # versions, made by the first of its callbacks to run. (A tag renamed: registered
    # after the refresh of its articles, so the versions start after their vectors.)
    _waiting.content = True
    transaction.on_commit(_content_changed_waiting)


@receiver(post_save, sender=Tag, dispatch_uid="tag_cache_on_save")
@receiver(post_delete, sender=Tag, dispatch_uid="tag_cache_on_delete")
# Bylines and author pages show profiles and their links; the disclaimer, the help
# resources and which tags are sensitive show on article pages.
@receiver(post_save, sender=AuthorProfile, dispatch_uid="author_profile_cache_on_save")
@receiver(post_delete, sender=AuthorProfile, dispatch_uid="author_profile_cache_on_delete")
@receiver(post_save, sender=AuthorLink, dispatch_uid="author_link_cache_on_save")
@receiver(post_delete, sender=AuthorLink, dispatch_uid="author_link_cache_on_delete")
@receiver(post_save, sender=ArticleAuthor, dispatch_uid="byline_cache_on_save")
@receiver(post_delete, sender=ArticleAuthor, dispatch_uid="byline_cache_on_delete")
@receiver(post_save, sender=TrustSettings, dispatch_uid="trust_settings_cache_on_save")
@receiver(post_save, sender=HelpResource, dispatch_uid="help_resource_cache_on_save")
@receiver(post_delete, sender=HelpResource, dispatch_uid="help_resource_cache_on_delete")
@receiver(post_save, sender=TagSettings, dispatch_uid="tag_settings_cache_on_save")
@receiver(post_delete, sender=TagSettings, dispatch_uid="tag_settings_cache_on_delete")
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


@receiver(post_delete, sender=AuthorProfile, dispatch_uid="author_photo_on_delete")
def _profile_deleted(sender, instance: AuthorProfile, **kwargs) -> None:
    # The photo and its renditions go with the profile, once the delete is committed.
    names = [*rendition_names(instance.photo_renditions or {}), instance.photo.name]
    if names := [name for name in names if name]:
        storage = instance.photo.storage
        transaction.on_commit(lambda: renditions_delete(names=names, storage=storage))


@receiver(post_delete, sender=Article, dispatch_uid="article_renditions_on_delete")
def _article_deleted(sender, instance: Article, **kwargs) -> None:
    if names := rendition_names(instance.cover_renditions or {}):
        storage = instance.cover.storage
        transaction.on_commit(lambda: renditions_delete(names=names, storage=storage))
