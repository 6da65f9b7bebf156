"""Review before publishing: authors submit a draft, editors approve it or send it back.

An article's review state (Article.ReviewState) is separate from its Status: only
`Article.objects.published()` decides what readers see. Each step saves the state, queues
an e-mail to the other side (sent once the transaction commits, so a step rolled back
mails no one) and returns what the admin writes into the article's history.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Article
from .services import article_publish

logger = logging.getLogger(__name__)

#: The permission that lets a user publish or schedule (Article.Meta.permissions).
PUBLISH_PERMISSION = "articles.publish_article"

_REVIEW_FIELDS = ["review_state", "review_comment", "review_requested_by", "review_changed_at"]


def user_may_publish(user) -> bool:
    return bool(user.is_active and user.has_perm(PUBLISH_PERMISSION))


# -- selectors --------------------------------------------------------------------------------


def articles_waiting_for_review() -> QuerySet[Article]:
    """Drafts submitted for review, the longest waiting first (the editors' queue)."""
    return (
        Article.objects.filter(
            status=Article.Status.DRAFT, review_state=Article.ReviewState.SUBMITTED
        )
        .select_related("review_requested_by")
        .order_by("review_changed_at", "pk")
    )


def articles_sent_back_to(*, user: AbstractBaseUser) -> QuerySet[Article]:
    """Drafts an editor sent back to this user (who submitted them, or wrote them)."""
    return (
        Article.objects.filter(
            status=Article.Status.DRAFT, review_state=Article.ReviewState.CHANGES_REQUESTED
        )
        .filter(Q(review_requested_by=user) | Q(review_requested_by=None, author=user))
        .order_by("-review_changed_at", "-pk")
    )


def reviewers() -> QuerySet:
    """Active staff who may publish (and so review), with an e-mail address."""
    permission = Permission.objects.filter(
        content_type__app_label="articles", codename="publish_article"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


# -- services ---------------------------------------------------------------------------------


def _mail_on_commit(*, subject: str, body: str, to: list[str]) -> None:
    if not to:
        return

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        except Exception:  # a mail server being down must never undo a review step
            logger.exception("review: the e-mail %r could not be sent", subject)

    transaction.on_commit(send)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "someone"


def _step(article: Article, state: str, comment: str, by=None) -> None:
    article.review_state = state
    article.review_comment = comment
    if by is not None:
        article.review_requested_by = by
    article.review_changed_at = timezone.now()
    article.save(update_fields=[*_REVIEW_FIELDS, "updated_at"])


def _requester_address(article: Article, by: AbstractBaseUser) -> list[str]:
    person = article.review_requested_by or article.author
    if person is None or not person.email or person.pk == by.pk:
        return []
    return [person.email]


def article_review_submit(
    *, article: Article, by: AbstractBaseUser, note: str = "", link: str = ""
) -> str:
    """The author asks the editors to review the draft; returns the history line."""
    _step(article, Article.ReviewState.SUBMITTED, note.strip(), by=by)
    _mail_on_commit(
        subject=f"Waiting for your review: {article.title}",
        body=(
            f"{_name(by)} submitted “{article.title}” for review.\n\n"
            + (f"Their note: {note.strip()}\n\n" if note.strip() else "")
            + f"Review it: {link}\n"
        ),
        to=[user.email for user in reviewers() if user.pk != by.pk],
    )
    return "Submitted for review" + (f": {note.strip()}" if note.strip() else ".")


def article_review_send_back(
    *, article: Article, by: AbstractBaseUser, comment: str, link: str = ""
) -> str:
    """The editor asks for changes; the comment is required and sent to the author."""
    comment = comment.strip()
    if not comment:
        raise ValueError("sending back needs a comment")
    _step(article, Article.ReviewState.CHANGES_REQUESTED, comment)
    _mail_on_commit(
        subject=f"Sent back to you: {article.title}",
        body=(
            f"{_name(by)} sent “{article.title}” back for changes:\n\n{comment}\n\n"
            f"Change it and submit it again: {link}\n"
        ),
        to=_requester_address(article, by),
    )
    return f"Sent back for changes: {comment}"


def article_review_approve(
    *, article: Article, by: AbstractBaseUser, at: datetime | None = None, link: str = ""
) -> str:
    """The editor approves: the article is published now, or scheduled for `at`."""
    article_publish(article=article, at=at or timezone.now())
    _step(article, Article.ReviewState.APPROVED, "")
    when = timezone.localtime(article.published_at).strftime("%-d %b %Y, %H:%M")
    done = f"scheduled for {when}" if article.is_scheduled else "published"
    _mail_on_commit(
        subject=f"Approved and {done.split(' ')[0]}: {article.title}",
        body=f"{_name(by)} approved “{article.title}”: it is {done}.\n\n{link}\n",
        to=_requester_address(article, by),
    )
    return f"Approved and {done}."
