"""The weekly e-mail digest to the site owners: last week (Monday to Sunday, the site's
time zone) against the week before, read through the dashboard's own selectors, so the
e-mail and the dashboard for the same week show the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.management.commands.setup_roles import SITE_OWNERS

from .analysis import Period, RefreshCandidate, change_text, period_compared
from .breakdowns import BreakdownRow, sources_first_seen_in, stats_breakdowns
from .models import SentDigest
from .searches import ContentGap, content_gaps
from .statistics import (
    ArticleRow,
    first_counted_day,
    refresh_candidates,
    stats_article_ranking,
    stats_article_rows,
    stats_daily,
    stats_risers,
)

TOP_ARTICLES = 5
RISERS = 5
NEW_SOURCES = 5
GAPS = 5


@dataclass(frozen=True)
class Digest:
    week: Period  # compared with the week before only when that one was counted in full
    views: int
    unique_readers: int
    previous_views: int | None  # None: no week before to compare with
    previous_readers: int | None
    top: list[ArticleRow]
    risers: list[ArticleRow]
    new_sources: list[BreakdownRow]
    gaps: list[ContentGap]
    refresh: RefreshCandidate | None

    @property
    def views_change(self) -> str:
        return change_text(self.views, self.previous_views)

    @property
    def readers_change(self) -> str:
        return change_text(self.unique_readers, self.previous_readers)

    @property
    def subject(self) -> str:
        compared = f" ({self.views_change})" if self.previous_views is not None else ""
        return (
            f"{settings.SITE_NAME}, week of {self.week.start:%-d %B %Y}: "
            f"{self.views:,} views{compared}"
        )


def week_start_of(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def last_week_start(*, today: date | None = None) -> date:
    """The Monday of the last whole week before today (the site's local date)."""
    return week_start_of(today or timezone.localdate()) - timedelta(days=7)


def week_digest(*, week_start: date) -> Digest:
    """The digest of the week starting on `week_start` (a Monday): ten queries."""
    week = period_compared(
        Period(start=week_start, end=week_start + timedelta(days=6)),
        counted_since=first_counted_day(),
    )
    before = week.previous
    # Both weeks' days in one query, as the dashboard's chart reads a period and the one before.
    days = stats_daily(period=Period(start=before.start if before else week.start, end=week.end))
    this_week, last_week = days[-7:], days[:-7]
    views = sum(point.views for point in this_week)
    ranking = stats_article_ranking(period=week)
    sources = stats_breakdowns(period=week)["sources"]
    new = sources_first_seen_in(period=week, sources=[row.value for row in sources])
    # As of the end of the week: the same candidate whenever the digest is built.
    week_ended = timezone.make_aware(datetime.combine(week.end + timedelta(days=1), time.min))
    refresh = refresh_candidates(now=week_ended, limit=1)
    return Digest(
        week=week,
        views=views,
        unique_readers=sum(point.unique_readers for point in this_week),
        previous_views=sum(point.views for point in last_week) if before else None,
        previous_readers=sum(point.unique_readers for point in last_week) if before else None,
        top=stats_article_rows(period=week, ranked=ranking[:TOP_ARTICLES], total_views=views),
        risers=stats_risers(period=week, total_views=views, limit=RISERS),
        new_sources=[row for row in sources if row.value in new][:NEW_SOURCES],
        gaps=content_gaps(period=week, limit=GAPS),
        refresh=refresh[0] if refresh else None,
    )


def digest_recipients() -> list[str]:
    """POPULARITY_DIGEST_RECIPIENTS, or else the e-mail addresses of the active members of
    the Site owners group."""
    if settings.POPULARITY_DIGEST_RECIPIENTS:
        return list(settings.POPULARITY_DIGEST_RECIPIENTS)
    owners = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=SITE_OWNERS)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(owners)


def digest_context(*, digest: Digest) -> dict:
    return {"digest": digest, "site_url": settings.SITE_URL.rstrip("/")}


def digest_messages(
    *, digest: Digest, to: list[str], subject_prefix: str = ""
) -> list[EmailMultiAlternatives]:
    """One message per recipient (owners do not see each other's addresses): plain text,
    and the same as HTML."""
    context = digest_context(digest=digest)
    text = render_to_string("popularity/digest/email.txt", context)
    html = render_to_string("popularity/digest/email.html", context)
    messages = []
    for address in to:
        message = EmailMultiAlternatives(
            subject=f"{subject_prefix}{digest.subject}", body=text, to=[address]
        )
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def weekly_digest_send(*, week_start: date) -> int | None:
    """Send the digest of the week to its recipients unless it was sent before: how many
    it went to, None when it had been sent already (or there is no one to send it to: 0).

    The week is recorded in the transaction that sends it: a failed send records nothing
    (the next run tries again), and a second run, even at the same moment, waits for the
    first and then finds the week recorded.
    """
    to = digest_recipients()
    if not to:
        return 0
    with transaction.atomic():
        _, created = SentDigest.objects.get_or_create(
            week_start=week_start, defaults={"recipients": len(to)}
        )
        if not created:
            return None
        messages = digest_messages(digest=week_digest(week_start=week_start), to=to)
        get_connection().send_messages(messages)
    return len(to)


def digest_test_send(*, week_start: date, to: str) -> None:
    """The week's digest to one address, marked as a test, without recording the week."""
    (message,) = digest_messages(
        digest=week_digest(week_start=week_start), to=[to], subject_prefix="[Test] "
    )
    message.send()
