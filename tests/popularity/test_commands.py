from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from popularity.analysis import Period
from popularity.counting.record import view_record
from popularity.models import DailySalt, ReaderDay
from popularity.statistics import stats_articles
from tests.factories import ArticleFactory, DailyViewFactory

from .conftest import BROWSER

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.localdate() - timedelta(days=days)


def test_report_prints_the_dashboards_ranking():
    for title, views in (("Second", 5), ("First", 9), ("Outside", 50)):
        age = 40 if title == "Outside" else 2
        DailyViewFactory(article=ArticleFactory(title=title), day=ago(age), views=views)
    out = StringIO()
    call_command("popularity_report", "--days", "7", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Articles by views, {ago(6)} to {ago(0)} (7 days)"
    assert lines[1].split()[:4] == ["rank", "article", "slug", "views"]
    body = [line.split() for line in lines[2:]]
    assert [(row[0], row[1], row[3]) for row in body] == [("1", "First", "9"), ("2", "Second", "5")]
    expected = stats_articles(period=Period(start=ago(6), end=ago(0)))
    assert [row.title for row in expected] == ["First", "Second"]


def test_report_compares_only_with_a_period_that_was_counted():
    DailyViewFactory(article=ArticleFactory(title="Read"), day=ago(2), views=9)
    out = StringIO()
    call_command("popularity_report", "--days", "7", stdout=out)
    # Counting began 2 days ago: the 7 days before were not counted, not read 0 times.
    row = out.getvalue().splitlines()[2].split()
    # views, readers, share, onward % (no path); no previous, no change, no completion
    assert row[3:] == ["9", "1", "100.0", "0"]
    DailyViewFactory(article=ArticleFactory(title="Old"), day=ago(20), views=1)
    out = StringIO()
    call_command("popularity_report", "--days", "7", stdout=out)
    row = out.getvalue().splitlines()[2].split()
    assert row[3:] == ["9", "1", "100.0", "0", "0"]  # … and the previous period: 0 views


def test_report_with_no_views_and_bad_days():
    out = StringIO()
    call_command("popularity_report", "--days", "3", stdout=out)
    assert "No article was read in this period." in out.getvalue()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("popularity_report", "--days", "0")


def test_rotate_salts_keeps_only_todays():
    article = ArticleFactory()
    view_record(
        article_id=article.pk,
        ip="198.51.100.1",
        user_agent=BROWSER,
        now=timezone.now() - timedelta(days=2),
    )
    assert DailySalt.objects.filter(day=ago(2)).exists()
    out = StringIO()
    call_command("popularity_rotate_salts", stdout=out)
    assert list(DailySalt.objects.values_list("day", flat=True)) == [ago(0)]
    assert ReaderDay.objects.count() == 0
    assert "1 salt(s) kept" in out.getvalue()
