"""Engaged time: the histogram maths, and what an article's page and the tags table show."""

from datetime import timedelta

import pytest
from django.utils import timezone

from popularity.analysis import Period
from popularity.engaged import (
    BUCKET_EDGES,
    ENGAGED_CAP_SECONDS,
    bucket_of,
    duration_text,
    engagement_of,
    median_seconds,
    readers_at_least,
    tag_engagement,
)
from popularity.models import EngagedTimeDay, ReadDepthDay
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


def test_half_of_every_reading_time_up_to_ten_minutes_is_a_bucket_edge():
    assert {minutes * 30 for minutes in range(1, 11)} <= set(BUCKET_EDGES)


def test_the_median_is_interpolated_inside_its_bucket():
    # Five readers: 10, 50, 100, 130, 400 s. The third (2.5 of 5) is half-way into 90–120.
    assert median_seconds(histogram(10, 50, 100, 130, 400)) == 105
    # Four readers, all in 60–90: the median is the bucket's middle.
    assert median_seconds(histogram(61, 62, 88, 89)) == 75
    assert median_seconds({}) is None
    assert median_seconds(histogram(ENGAGED_CAP_SECONDS, ENGAGED_CAP_SECONDS)) == 1800


def test_readers_at_least_is_exact_on_an_edge_and_proportional_inside_a_bucket():
    counts = histogram(10, 50, 100, 130, 400)
    assert readers_at_least(counts, 120) == 2  # 130 and 400
    assert readers_at_least(counts, 0) == 5
    # 105 is half-way into 90–120: half of the reader at 100 is counted.
    assert readers_at_least(counts, 105) == 2.5


def test_a_tag_judges_each_reader_against_their_own_articles_reading_time():
    short = (2, histogram(70, 50))  # half of 2 min: 60 s → one of two
    long = (10, histogram(200, 320, 400))  # half of 10 min: 300 s → two of three
    summary = engagement_of([short, long], completions=2, depth=8)
    assert (summary.readers, summary.half_readers) == (5, 3)
    assert summary.half_share == 60
    assert summary.reading_time == 10  # the median reader's article is the long one
    assert summary.completion_rate == 25
    assert summary.median == median_seconds(histogram(70, 50, 200, 320, 400))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0 s"), (44.6, "45 s"), (60, "1 min"), (200, "3 min 20 s")],
)
def test_durations_read_as_people_say_them(seconds, text):
    assert duration_text(seconds) == text
    assert duration_text(ENGAGED_CAP_SECONDS) == "30 min or more"


# --- What the pages show --------------------------------------------------------------------


def engaged_days(article, day, *seconds):
    for bucket, readers in histogram(*seconds).items():
        EngagedTimeDay.objects.create(article=article, day=day, bucket=bucket, readers=readers)


@pytest.fixture
def read_articles():
    """Two articles tagged "calm" (4 and 10 minutes), one tagged "sleep" too."""
    short = ArticleFactory(title="Short", tags=["calm"])
    long = ArticleFactory(title="Long", tags=["calm", "sleep"])
    type(short).objects.filter(pk=short.pk).update(reading_time=4)
    type(long).objects.filter(pk=long.pk).update(reading_time=10)
    for article in (short, long):
        DailyViewFactory(article=article, day=ago(1), views=20, unique_readers=10)
    engaged_days(short, ago(1), 10, 50, 100)
    engaged_days(short, ago(2), 130, 400)
    engaged_days(short, ago(40), 1000, 1000, 1000)  # outside the month: left out
    engaged_days(long, ago(3), 320, 400, 20)
    ReadDepthDay.objects.create(article=short, day=ago(1), readers=4, completions=1)
    ReadDepthDay.objects.create(article=long, day=ago(3), readers=4, completions=3)
    return short, long


@pytest.mark.django_db
def test_an_articles_page_shows_its_median_against_its_reading_time(client, owner, read_articles):
    short, _ = read_articles
    client.force_login(owner)
    html = client.get(f"{STATS}articles/{short.pk}/?range=30").content.decode()
    # 10, 50, 100, 130, 400 s: median 105 s against 4 minutes (44%); 2 of 5 past 2 minutes.
    assert 'data-engaged="median">1 min 45 s <small>of a 4-minute read (44%)' in html
    assert 'data-engaged="completion">25%' in html
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
    by_tag = tag_engagement(period=month, slugs=["calm", "sleep"])
    calm = by_tag["calm"]
    # calm: short's 10, 50, 100, 130, 400 and long's 20, 320, 400; past half: 130, 400
    # (of 4 min) and 320, 400 (of 10 min).
    assert (calm.readers, calm.half_readers, calm.depth_readers, calm.completions) == (8, 4, 8, 4)
    assert calm.median == median_seconds(histogram(10, 50, 100, 130, 400, 20, 320, 400))
    assert (by_tag["sleep"].readers, by_tag["sleep"].half_share) == (3, pytest.approx(200 / 3))

    client.force_login(owner)
    html = client.get(STATS + "?range=30").content.decode()
    rows = {row[0]: row[3:] for row in table(html, "tag-table")[1:]}
    assert rows["calm"] == [duration_text(calm.median), "4 min", "50%", "50%"]
    assert rows["sleep"] == ["5 min 30 s", "10 min", "75%", "67%"]
