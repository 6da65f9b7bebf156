"""Engaged time: the histogram maths, and what an article's page and the tags table show."""

from datetime import timedelta

import pytest
from django.utils import timezone

from popularity.analysis import Period
from popularity.engaged import (
    BUCKET_EDGES,
    ENGAGED_CAP_SECONDS,
    Engagement,
    bucket_of,
    duration_text,
    median_seconds,
    tag_engagement,
)
from popularity.read_depth import read_report_record
from tests.factories import ArticleFactory, DailyViewFactory

STATS = "/admin/statistics/"


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def histogram(*seconds: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in seconds:
        counts[bucket_of(value)] = counts.get(bucket_of(value), 0) + 1
    return counts


# --- The maths ----------------------------------------------------------------------------


def test_buckets_start_at_their_edge_and_the_last_holds_the_cap():
    assert [bucket_of(s) for s in (0, 4, 5, 29, 30, 59, 60)] == [0, 0, 1, 3, 4, 4, 5]
    assert bucket_of(ENGAGED_CAP_SECONDS) == len(BUCKET_EDGES) - 1
    assert bucket_of(10_000) == bucket_of(ENGAGED_CAP_SECONDS)
    assert bucket_of(-3) == 0
    assert list(BUCKET_EDGES) == sorted(set(BUCKET_EDGES))


def test_the_median_is_interpolated_inside_its_bucket():
    # Five readers: 10, 50, 100, 130, 400 s. The third (2.5 of 5) is half-way into 90–120.
    assert median_seconds(histogram(10, 50, 100, 130, 400)) == 105
    # Four readers, all in 60–90: the median is the bucket's middle.
    assert median_seconds(histogram(61, 62, 88, 89)) == 75
    assert median_seconds({}) is None
    assert median_seconds(histogram(ENGAGED_CAP_SECONDS, ENGAGED_CAP_SECONDS)) == 1800


def test_shares_of_a_summary():
    summary = Engagement(
        readers=5, median=105, reading_time=4, half_readers=2, depth_readers=8, completions=2
    )
    assert (summary.half_share, summary.completion_rate) == (40, 25)
    assert summary.median_of_reading_time == pytest.approx(43.75)
    nobody = Engagement(readers=0, median=None, reading_time=4, half_readers=0)
    assert (nobody.half_share, nobody.completion_rate, nobody.median_of_reading_time) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0 s"), (44.6, "45 s"), (60, "1 min"), (200, "3 min 20 s")],
)
def test_durations_read_as_people_say_them(seconds, text):
    assert duration_text(seconds) == text
    assert duration_text(ENGAGED_CAP_SECONDS) == "30 min or more"


# --- What the pages show --------------------------------------------------------------------


def reported(article, *seconds, days_ago, complete=0):
    """One reader per figure (None: a page that measured no time) reads the article on that
    day; the first `complete` of them reach its end."""
    when = timezone.now() - timedelta(days=days_ago)
    for n, value in enumerate(seconds):
        assert read_report_record(
            article_id=article.pk,
            token_day=timezone.localdate(when),
            sections=[],
            deepest=0,
            complete=n < complete,
            ip=f"203.0.113.{n}",
            user_agent="Browser",
            engaged=value,
            reading_time=article.reading_time,
            now=when,
        )


@pytest.fixture
def read_articles():
    """Two articles tagged "calm" (4 and 10 minutes), one tagged "sleep" too."""
    short = ArticleFactory(title="Short", tags=["calm"])
    long = ArticleFactory(title="Long", tags=["calm", "sleep"])
    type(short).objects.filter(pk=short.pk).update(reading_time=4)
    type(long).objects.filter(pk=long.pk).update(reading_time=10)
    short.refresh_from_db()
    long.refresh_from_db()
    for article in (short, long):
        DailyViewFactory(article=article, day=ago(1), views=20, unique_readers=10)
    reported(short, 10, 50, 100, days_ago=1, complete=1)
    reported(short, 130, 400, days_ago=2)
    reported(short, 1000, 1000, 1000, days_ago=40)  # outside the month: left out
    reported(long, 320, 400, 20, None, days_ago=3, complete=3)
    return short, long


@pytest.mark.django_db
def test_an_articles_page_shows_its_median_against_its_reading_time(client, owner, read_articles):
    short, _ = read_articles
    client.force_login(owner)
    html = client.get(f"{STATS}articles/{short.pk}/?range=30").content.decode()
    # 10, 50, 100, 130, 400 s: median 105 s against 4 minutes (44%); 2 of 5 past 2 minutes.
    assert 'data-engaged="median">1 min 45 s <small>of a 4-minute read (44%)' in html
    assert 'data-engaged="completion">20%' in html
    assert 'data-engaged="half">40% <small>of 5 readers' in html


@pytest.mark.django_db
def test_an_article_without_reports_says_so(client, owner):
    article = ArticleFactory()
    client.force_login(owner)
    html = client.get(f"{STATS}articles/{article.pk}/").content.decode()
    assert "No engaged time was reported in this period." in html


@pytest.mark.django_db
def test_each_tag_shows_its_readers_engaged_time_and_completion(client, owner, read_articles):
    from tests.popularity.test_views import table

    month = Period(start=ago(29), end=ago(0))
    by_tag = tag_engagement(period=month, slugs=["calm", "sleep", "unread"])
    calm, sleep = by_tag["calm"], by_tag["sleep"]
    # calm: short's 10, 50, 100, 130, 400 and long's 20, 320, 400 (and one reader of long who
    # sent no time); past half their article: 130, 400 (of 4 min) and 320, 400 (of 10).
    assert (calm.readers, calm.half_readers, calm.depth_readers, calm.completions) == (8, 4, 9, 4)
    assert calm.median == 120  # the 4th of 8 is the only one in 90–120 s: its top
    assert calm.reading_time == 4  # of 4 and 10 minutes, the lower middle
    assert (sleep.readers, sleep.median, sleep.reading_time) == (3, 330, 10)
    assert "unread" not in by_tag  # no such tag

    client.force_login(owner)
    html = client.get(STATS + "?range=30").content.decode()
    rows = {row[0]: row[3:] for row in table(html, "tag-table")[1:]}
    assert rows["calm"] == ["2 min", "4 min", "44%", "50%"]
    assert rows["sleep"] == ["5 min 30 s", "10 min", "75%", "67%"]
