"""The days something was published or updated, as markers on the dashboard's daily chart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models.functions import TruncDate
from django.utils import timezone

from articles.models import Article

from .analysis import Period


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def publications_in_period(*, period: Period) -> dict[date, list[str]]:
    """{day: [title, …]} of the articles published on the period's days (the site's chart),
    in publication order. One query."""
    # From the first day's local midnight to the one after the last: the index on
    # published_at serves it (a __date lookup would convert every row's time first).
    start = timezone.make_aware(datetime.combine(period.start, time.min))
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    rows = (
        Article.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .order_by("published_at", "id")
        # The local day from the database (the site's time zone): ~700 conversions in
        # Python cost a few ms of the view on the bench's month.
        .values_list(TruncDate("published_at"), "title")
    )
    by_day: dict[date, list[str]] = defaultdict(list)
    for day, title in rows:
        by_day[day].append(title)
    return dict(by_day)


def article_markers(*, article: Article, period: Period) -> dict[date, list[str]]:
    """The days of the period this article was published, and last updated for readers (an
    article's chart). No query: the article is loaded."""
    marks: dict[date, list[str]] = defaultdict(list)
    if article.published_at is not None:
        marks[_local_day(article.published_at)].append(f"{article.title} (published)")
    # The update readers and search engines are told of, as the page's "Updated" is: a
    # typo fix moves no reader, so it would only be a false lead on the chart.
    updated = article.substantive_change_at
    if updated is not None and (
        article.published_at is None or _local_day(updated) > _local_day(article.published_at)
    ):
        marks[_local_day(updated)].append(f"{article.title} (updated)")
    return {day: titles for day, titles in marks.items() if period.start <= day <= period.end}
