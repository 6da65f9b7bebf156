"""Medical review: who checked a health article's facts, when, and whether that still holds.

A review covers the text it was recorded on: the article keeps the digest of its words
(title, standfirst, sections; `Article.text_digest`, a derived field) and, with the review,
the digest of the words the reviewer checked (`reviewed_text_digest`). Any later change to
the words, a typo included, means the review covers an earlier version: readers are told
so, and search engines no longer get `reviewedBy`/`lastReviewed` (a wrong dose is a
one-character change). A review older than settings.MEDICAL_REVIEW_DUE_AFTER_MONTHS is due
again.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.db.models import TextChoices
from django.utils import timezone

from .dates import EARLIEST_DAY, day_shown

#: AuthorProfile.credentials' length; an import is held to it before anything is written.
CREDENTIALS_MAX_LENGTH = 200


class ReviewStatus(TextChoices):
    CURRENT = "current", "Reviewed"
    CHANGED = "changed", "Changed since review"
    DUE = "due", "Review due"
    NEVER = "never", "Never reviewed"


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter:
    31 March minus one month is 28 or 29 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def review_due_cutoff(today: date | None = None) -> date:
    """A review made on or before this day is due again."""
    return months_before(today or timezone.localdate(), settings.MEDICAL_REVIEW_DUE_AFTER_MONTHS)


def reviewer_problem(profile) -> str | None:
    """Why this author profile cannot be named as a medical reviewer (None when it can)."""
    credentials = (profile.credentials or "").strip()
    if not credentials:
        return (
            f"{profile.name} has no credentials on their author profile: only someone with "
            "credentials (such as 'MD, neurologist') can be named as the medical reviewer. "
            "Add them to the profile first, or choose another reviewer."
        )
    if len(credentials) > CREDENTIALS_MAX_LENGTH:
        return f"{profile.name}'s credentials are longer than {CREDENTIALS_MAX_LENGTH} characters."
    return None


def review_date_problem(day: date, today: date | None = None) -> str | None:
    """Why `day` cannot be the date of a review (None when it can)."""
    if day > (today or timezone.localdate()):
        return "The review date is in the future: give the day the reviewer checked the text."
    if day < EARLIEST_DAY:
        return (
            f"The review date {day_shown(day)} is before {EARLIEST_DAY:%Y}: check the year "
            "(such as 0026 typed for 2026)."
        )
    return None
