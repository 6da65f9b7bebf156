"""Changing what is live, on time, without cron: expiries and scheduled updates.

Nothing here runs on a timer. The content version (articles.cache) records the next moment
anything is due (an article to publish, one to unpublish, an update to apply) and is
replaced on the first request after it: that request applies the due updates first
(`article_updates_apply_due`), so readers see the new version from that minute on. The
scheduler (deploy/scheduler.sh: `manage.py apply_scheduled_updates`) does the same every
minute, for a site nobody visits. Applying is idempotent and safe with many workers: each
update is taken under a row lock (SKIP LOCKED) and applied once.

An update's pending version is a draft copy of the article (`ArticleUpdate.draft`), so it
is written, checked and previewed with the ordinary change form, and never public.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Min, Q, Subquery
from django.utils import timezone

from core.db_router import primary_reads

from .cache import content_changed
from .models import Article, ArticleUpdate, Section, Source

logger = logging.getLogger(__name__)

APPLIED_COMMENT = "Scheduled update applied"


@dataclass(frozen=True)
class DueMoments:
    publication: datetime | None
    expiry: datetime | None
    update: datetime | None

    @property
    def next(self) -> datetime | None:
        return min((m for m in (self.publication, self.expiry, self.update) if m), default=None)


def due_moments(*, now: datetime, overdue_updates: bool = True) -> DueMoments:
    """When the next scheduled article appears, the next public one expires and the first
    pending update goes live (already past when one waits: `overdue_updates`). One query."""
    pending = ArticleUpdate.objects.filter(applied_at__isnull=True)
    if not overdue_updates:
        pending = pending.filter(go_live_at__gt=now)
    first_update = pending.order_by("go_live_at").values("go_live_at")[:1]
    published = Q(status=Article.Status.PUBLISHED)
    row = Article.objects.aggregate(
        publication=Min("published_at", filter=published & Q(published_at__gt=now)),
        expiry=Min("expires_at", filter=published & Q(expires_at__gt=now)),
        update=Min(Subquery(first_update)),
    )
    return DueMoments(**row)


def next_due_at(*, now: datetime) -> datetime | None:
    """The next moment the public pages change by themselves; due updates are applied first."""
    moments = due_moments(now=now)
    if moments.update is not None and moments.update <= now:
        try:
            article_updates_apply_due(now=now)
        except Exception:  # a failed update must never take the pages down with it
            logger.exception("Applying the due scheduled updates failed; the scheduler retries.")
        moments = due_moments(now=now, overdue_updates=False)
    return moments.next


# ---------------------------------------------------------------------------
# Preparing, applying and cancelling an update


def _copy_sections(*, source: Article, target: Article) -> None:
    """The sections, and the sources they cite."""
    # bulk_create skips save(): the bodies were sanitised when first saved.
    Section.objects.bulk_create(
        Section(
            article=target,
            position=section.position,
            heading=section.heading,
            level=section.level,
            anchor=section.anchor,
            body=section.body,
        )
        for section in source.sections.order_by("position")
    )
    # The sources go with the text that cites them (keys and numbers unchanged).
    Source.objects.bulk_create(
        Source(
            article=target,
            position=cited.position,
            key=cited.key,
            authors=cited.authors,
            title=cited.title,
            container=cited.container,
            year=cited.year,
            url=cited.url,
            doi=cited.doi,
            pmid=cited.pmid,
        )
        for cited in source.sources.order_by("position", "id")
    )


def _copy_words(*, source: Article, target: Article) -> None:
    """What a scheduled update changes: title, standfirst, sections, tags, primary tag."""
    target.title = source.title
    # A pending version is a draft, which may be saved without a standfirst; a published
    # article may not be without one, so a blank one keeps the live article's.
    target.standfirst = source.standfirst or target.standfirst
    tags = list(source.tags.all())
    target.primary_tag = source.primary_tag if source.primary_tag in tags else None


def _take_review(*, source: Article, target: Article) -> list[str]:
    """A medical review covering `source`'s words goes with them to `target` (the update's
    copy, or the live article once the update is applied): it covers the same words, digest
    and all, until one changes. The fields set, or none."""
    if not source.review_covers_text:
        return []
    target.reviewer_id = source.reviewer_id
    target.reviewed_at = source.reviewed_at
    target.reviewed_text_digest = source.reviewed_text_digest
    return ["reviewer", "reviewed_at", "reviewed_text_digest"]


@transaction.atomic
def article_update_prepare(
    *, article: Article, go_live_at: datetime, user: AbstractBaseUser | None = None
) -> ArticleUpdate:
    """Start a scheduled update of a published article: a draft copy of its words to edit,
    going live at `go_live_at`."""
    if article.status != Article.Status.PUBLISHED:
        raise ValueError("Only a published article can have a scheduled update.")
    draft = Article(
        slug=f"{article.slug[:180]}-update-{uuid.uuid4().hex[:8]}",
        status=Article.Status.DRAFT,
        author=article.author,
        # Checked as health content, so its checks ask for sources and a review of its text.
        health_content=article.health_content,
    )
    _copy_words(source=article, target=draft)
    _take_review(source=article, target=draft)  # it covers the copy until a word changes
    with reversion.create_revision():
        draft.save()
        draft.tags.set(list(article.tags.all()))
        _copy_sections(source=article, target=draft)
        reversion.add_to_revision(draft)
        reversion.set_comment(f"Prepared as a scheduled update of “{article}”.")
        if user is not None:
            reversion.set_user(user)
    return ArticleUpdate.objects.create(
        article=article, draft=draft, go_live_at=go_live_at, created_by=user
    )


def article_update_reschedule(*, update: ArticleUpdate, go_live_at: datetime) -> ArticleUpdate:
    update.go_live_at = go_live_at
    update.save(update_fields=["go_live_at"])
    # The content version's next due moment moves with it.
    transaction.on_commit(content_changed)
    return update


@transaction.atomic
def article_update_cancel(*, update: ArticleUpdate) -> None:
    """Drop a pending update and its draft; the live article stays as it is."""
    draft = update.draft
    update.delete()
    if draft is not None:
        draft.delete()


def article_update_apply(*, update_id: int, now: datetime | None = None) -> bool:
    """Put a due update's words live, once: False when it is not due, already applied, or
    being applied by another worker right now."""
    now = now or timezone.now()
    # A reader's request may apply it: its reads (locks, the revision) go to the primary.
    with primary_reads(), transaction.atomic():
        update = (
            ArticleUpdate.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=update_id, applied_at__isnull=True, go_live_at__lte=now)
            .select_related("draft")
            .first()
        )
        if update is None:
            return False
        live = Article.objects.select_for_update().get(pk=update.article_id)
        draft = update.draft
        if draft is not None:
            with reversion.create_revision():
                _copy_words(source=draft, target=live)
                # A prepared update is one readers are told about: substantive.
                live.revised_at = live.substantive_change_at = update.go_live_at
                reviewed = _take_review(source=draft, target=live)
                live.save(
                    update_fields=[
                        "title",
                        "standfirst",
                        "primary_tag",
                        "revised_at",
                        "substantive_change_at",
                        "updated_at",
                        *reviewed,
                    ]
                )
                live.sections.all().delete()
                live.sources.all().delete()
                _copy_sections(source=draft, target=live)
                live.tags.set(list(draft.tags.all()), clear=True)
                # The sections were bulk-created: add the article again so the revision
                # holds them (as an import does).
                reversion.add_to_revision(live)
                reversion.set_comment(APPLIED_COMMENT)
                if update.created_by_id is not None:
                    reversion.set_user(update.created_by)
        update.applied_at = now
        update.draft = None
        update.save(update_fields=["applied_at", "draft"])
        if draft is not None:
            draft.delete()
    return True


def article_updates_apply_due(*, now: datetime | None = None) -> int:
    """Apply every update whose minute has come; how many this call applied."""
    now = now or timezone.now()
    due = ArticleUpdate.objects.filter(applied_at__isnull=True, go_live_at__lte=now)
    return sum(
        article_update_apply(update_id=pk, now=now)
        for pk in due.order_by("go_live_at").values_list("pk", flat=True)
    )


def article_update_pending(*, article: Article) -> ArticleUpdate | None:
    """The update waiting to go live on `article`, if any."""
    return (
        ArticleUpdate.objects.filter(article=article, applied_at__isnull=True)
        .select_related("draft")
        .first()
    )


def article_update_of_draft(*, draft: Article) -> ArticleUpdate | None:
    """The pending update whose draft copy `draft` is, if it is one."""
    return (
        ArticleUpdate.objects.filter(draft=draft, applied_at__isnull=True)
        .select_related("article")
        .first()
    )
