"""Owners' notes on days ("newsletter sent"), as the dashboard shows them beside the figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.db.models import Q

from .analysis import DayPoint, Period
from .models import DayNote


def notes_in_period(*, period: Period, article_id: int | None = None) -> dict[date, list[str]]:
    """{day: [note, …]} for the days of the period that have notes, oldest note first: every
    note on the site's page (an article's named with it), the site's and the article's own
    on an article's page. One query."""
    notes = DayNote.objects.filter(day__range=(period.start, period.end))
    if article_id is not None:
        notes = notes.filter(Q(article__isnull=True) | Q(article_id=article_id))
    rows = notes.order_by("day", "id").values_list("day", "text", "article__title")
    by_day: dict[date, list[str]] = defaultdict(list)
    for day, text, title in rows:
        by_day[day].append(f"{title}: {text}" if title and article_id is None else text)
    return dict(by_day)


def points_with_notes(points: list[DayPoint], notes: dict[date, list[str]]) -> list[DayPoint]:
    """The chart's points, each carrying its day's notes."""
    return [replace(p, notes=tuple(notes[p.day])) if p.day in notes else p for p in points]
