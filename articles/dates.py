"""The dates an article may carry: a publication time and a review day a reader can believe.

The admin's date boxes and the YAML reader take any year from 1 to 9999, so a slip of the
keyboard (0026 for 2026, 9999 for "some day") would publish an article dated year 1 or
schedule it for never. The change form (the model field's validator) and the Markdown import
refuse the same dates, with the same words.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

#: No article here was written before this day: anything earlier is a typing slip.
EARLIEST_DAY = date(1990, 1, 1)
#: How far ahead an article may be scheduled; further is a typing slip too.
SCHEDULE_AHEAD_YEARS = 3


def day_shown(day: date) -> str:
    """31/12/0026: strftime's %Y drops a short year's zeros, the very slip shown here."""
    return f"{day.day:02}/{day.month:02}/{day.year:04}"


def publication_now() -> datetime:
    """Now as a publication time, to the second: the admin's form shows it to the second, so
    a fraction stored here would be dropped by the next save from the form, a change nobody
    made (the conflict box listed it)."""
    return timezone.now().replace(microsecond=0)


def latest_publication_day(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today.replace(year=today.year + SCHEDULE_AHEAD_YEARS, day=min(today.day, 28))


def publication_date_problem(moment: datetime, today: date | None = None) -> str | None:
    """Why `moment` cannot be when an article is published (None when it can)."""
    day = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    if day < EARLIEST_DAY:
        return (
            f"The publication date {day_shown(day)} is before {EARLIEST_DAY:%Y}: check the "
            "year (such as 0026 typed for 2026)."
        )
    latest = latest_publication_day(today)
    if day > latest:
        return (
            f"The publication date {day_shown(day)} is more than {SCHEDULE_AHEAD_YEARS} years "
            f"ahead (after {day_shown(latest)}): check the year."
        )
    return None


def validate_publication_date(value: datetime) -> None:
    if problem := publication_date_problem(value):
        raise ValidationError(problem, code="implausible_date")
