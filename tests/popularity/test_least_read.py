"""The "least read" list: fewest readers a day for their age, lowest completion, and its CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from popularity.analysis import Period
from popularity.least_read import FEWEST_READERS, LOWEST_COMPLETION, least_read
from popularity.models import ReadDepthDay
from popularity.statistics import stats_article_ranking
from tests.factories import ArticleFactory, DailyOriginFactory, DailyViewFactory
from tests.popularity.test_views import table

pytestmark = pytest.mark.django_db

STATS = "/admin/statistics/"


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def site():
    def article(title, age, readers=0, reports=0, finished=0, **extra):
        made = ArticleFactory(
            title=title, published_at=timezone.now() - timedelta(days=age), **extra
        )
        if readers:
            DailyViewFactory(article=made, day=ago(2), views=readers, unique_readers=readers)
        if reports:
            ReadDepthDay.objects.create(
                article=made, day=ago(2), readers=reports, completions=finished
            )
        return made

    return {
        "unread": article("Unread", 60),
        "quiet": article("Old and quiet", 100, readers=3, reports=5, finished=0),
        "recent": article("Recent", 20, readers=20, reports=25, finished=20),
        "popular": article("Old and popular", 100, readers=300, reports=30, finished=3),
        "new": article("Too new to judge", 5),
        "draft": article("A draft", 100, draft=True),
    }


MONTH = Period(start=ago(29), end=ago(0))


def judged(limit):
    ranking = stats_article_ranking(period=MONTH)
    return [
        (item.title, item.days, item.readers, item.reason)
        for item in least_read(period=MONTH, ranking=ranking, limit=limit)
    ]


def test_fewest_readers_a_day_for_their_age_then_lowest_completion(site):
    assert judged(limit=2) == [
        ("Unread", 30, 0, FEWEST_READERS),
        ("Old and quiet", 30, 3, FEWEST_READERS),  # 0.1 a day
        # Five reports are too few to judge "Old and quiet" on completion.
        ("Old and popular", 30, 300, LOWEST_COMPLETION),  # 10%
    ]


def test_only_articles_below_the_median_are_listed(site):
    # "Recent" is read more than most (0.95 a day, the median 0.5) and finished by more
    # (80%, the median 45%): never "least read", however many the list could hold.
    assert [(title, reason) for title, *_, reason in judged(limit=5)] == [
        ("Unread", FEWEST_READERS),
        ("Old and quiet", FEWEST_READERS),
        ("Old and popular", LOWEST_COMPLETION),
    ]


def test_a_period_ending_before_an_article_was_old_enough_leaves_it_out(site):
    early = Period(start=ago(40), end=ago(10))
    titles = [item.title for item in least_read(period=early, ranking=[], limit=None)]
    assert titles == ["Unread", "Old and quiet", "Old and popular"]  # not "Recent" (20 days)


def test_the_dashboard_lists_them_with_the_rule_and_the_csv_has_every_one(client, owner, site):
    client.force_login(owner)
    html = client.get(STATS + "?range=30").content.decode()
    rows = table(html, "least-read-table")
    assert [row[0] for row in rows[1:]] == ["Unread", "Old and quiet", "Old and popular"]
    assert rows[2][2:] == ["0.1", "0%", FEWEST_READERS]
    assert "at least 14 days before this period ends" in html
    assert "at least 20 read-depth reports" in html

    response = client.get(STATS + "export/least-read.csv?range=30")
    assert response["Content-Disposition"].startswith('attachment; filename="least-read-')
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:2] == ["article id", "title"]
    # Every article judged, fewest readers a day first: "Recent" too.
    assert [line[1] for line in lines[1:]] == [
        "Unread",
        "Old and quiet",
        "Recent",
        "Old and popular",
    ]
    recent = next(line for line in lines if line[1] == "Recent")
    assert recent[3:] == ["21", "20", "0.95", "25", "80"]


def test_with_no_article_old_enough_the_panel_says_so(client, owner):
    ArticleFactory(title="Brand new")
    client.force_login(owner)
    html = client.get(STATS).content.decode()
    assert "No published article is old enough to judge in this period." in html


def test_a_tag_narrows_the_articles_judged_and_the_filters_are_named(client, owner, site):
    """With ?device=mobile&tag=stress the panel listed every untagged article as "0.0
    readers a day" (from phones, under Stress) and the chip said the slug."""
    old = timezone.now() - timedelta(days=100)
    unread = ArticleFactory(title="Stress, unread", published_at=old, tags=["Stress"])
    read = ArticleFactory(title="Stress, read on phones", published_at=old, tags=["Stress"])
    DailyOriginFactory(article=read, day=ago(2), device="mobile", views=40, unique_readers=30)
    client.force_login(owner)

    html = client.get(STATS, {"range": "30", "device": "mobile", "tag": "stress"}).content.decode()
    assert [row[0] for row in table(html, "least-read-table")[1:]] == [unread.title]
    assert "Only articles tagged “Stress” are judged." in html
    assert "Readers a day counts only the readers the source, device and country" in html
    assert "Tag: Stress" in html and "Tag: stress" not in html

    response = client.get(
        STATS + "export/least-read.csv", {"range": "30", "device": "mobile", "tag": "stress"}
    )
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert [line[1] for line in lines[1:]] == [unread.title, read.title]


def test_without_filters_the_panel_names_none(client, owner, site):
    client.force_login(owner)
    html = client.get(STATS, {"range": "30"}).content.decode()
    assert 'id="least-read-filters"' not in html
