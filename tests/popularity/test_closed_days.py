"""The dashboard's sums of ended days, kept in the cache (popularity/closed_days.py): what
it shows is always what the rows say, kept or not, and a write to an ended day shows at
once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

import popularity.paths as paths
from popularity.analysis import Period
from popularity.breakdowns import stats_breakdowns
from popularity.charts import history_period
from popularity.closed_days import (
    closed_days_cached,
    closed_days_changed,
    closed_days_key,
    period_split,
)
from popularity.counting.flush import buffer_flush
from popularity.counting.record import view_record
from popularity.forms import PeriodForm
from popularity.least_read import least_read
from popularity.models import DailyPath, DailyView, ReadDepthDay
from popularity.paths import top_pairs
from popularity.statistics import stats_article_ranking, stats_daily, stats_previous_views
from tests.factories import ArticleFactory, DailyPathFactory, DailyViewFactory

from .conftest import BROWSER

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.localdate() - timedelta(days=days)


def month():
    return Period(start=ago(29), end=ago(0))


def raw_pairs(period):
    """Every pair's readers in the period, summed from the rows themselves, most first."""
    sums = (
        DailyPath.objects.filter(day__range=(period.start, period.end))
        .values_list("from_article", "to_article")
        .annotate(n=Sum("readers"))
    )
    return sorted(((a, b, n) for a, b, n in sums), key=lambda p: (-p[2], p[0], p[1]))


def shown(pairs):
    return [(p.from_id, p.to_id, p.readers) for p in pairs]


def test_a_period_splits_into_its_ended_days_and_today():
    today = ago(0)
    closed, live = period_split(month(), today=today)
    assert (closed.start, closed.end, live.start, live.end) == (ago(29), ago(1), today, today)
    assert period_split(Period(start=ago(9), end=ago(3)), today=today)[1] is None
    assert period_split(Period(start=today, end=today), today=today)[0] is None


@pytest.fixture
def paths_of_a_month():
    """Twelve articles, pairs between them over a month, a few today."""
    articles = ArticleFactory.create_batch(12)
    for day in range(0, 30, 3):
        for i, a in enumerate(articles):
            b = articles[(i * 5 + day) % 12]
            if a != b:
                DailyPathFactory(from_article=a, to_article=b, day=ago(day), readers=1 + i % 4)
    return articles


def test_top_pairs_kept_or_not_equal_the_sum_of_the_rows(paths_of_a_month, monkeypatch):
    # Keep only a few pairs of the ended days, so today's rows lift pairs from below them.
    monkeypatch.setattr(paths, "PAIRS_KEPT", 3)
    a, b, c = paths_of_a_month[:3]
    DailyPathFactory(from_article=c, to_article=b, day=ago(0), readers=40)  # today's leader
    expected = raw_pairs(month())[:5]
    assert shown(top_pairs(period=month(), limit=5)) == expected  # the ended days kept now
    assert shown(top_pairs(period=month(), limit=5)) == expected  # read back from the cache
    assert shown(top_pairs(period=month(), limit=None)) == raw_pairs(month())  # the CSV
    # A period that ended yesterday is all kept.
    ended = Period(start=ago(29), end=ago(1))
    assert shown(top_pairs(period=ended, limit=5)) == raw_pairs(ended)[:5]
    assert shown(top_pairs(period=ended, limit=5)) == raw_pairs(ended)[:5]


def test_a_pair_below_the_kept_ones_that_today_lifts_into_the_top_is_counted_whole(
    monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(paths, "PAIRS_KEPT", 4)
    a, b, c, d, e, f = ArticleFactory.create_batch(6)
    for (first, second), readers in zip(
        [(a, b), (b, c), (c, d), (d, e), (e, f)], [50, 40, 30, 29, 10], strict=True
    ):
        DailyPathFactory(from_article=first, to_article=second, day=ago(3), readers=readers)
    top_pairs(period=month(), limit=2)  # keeps the four first of the ended days
    DailyPathFactory(from_article=e, to_article=f, day=ago(0), readers=35)
    with django_assert_num_queries(1):  # no summing of every pair
        shown_now = shown(top_pairs(period=month(), limit=2))
    assert shown_now == [(a.pk, b.pk, 50), (e.pk, f.pk, 45)]


def test_todays_paths_show_at_once_with_the_ended_days_kept(
    paths_of_a_month, django_assert_num_queries
):
    a, b = paths_of_a_month[:2]
    top_pairs(period=month())  # keeps the ended days
    DailyPathFactory(from_article=a, to_article=b, day=ago(0), readers=500)
    with django_assert_num_queries(1):  # today's rows, added to the kept pairs, with titles
        (first, *_) = top_pairs(period=month())
    assert (first.from_title, first.to_title, first.readers) == (a.title, b.title, 500)


@pytest.fixture
def month_of_views():
    articles = ArticleFactory.create_batch(5, published_at=timezone.now() - timedelta(days=90))
    for n, article in enumerate(articles):
        for day in (0, 1, 7, 20, 35):
            DailyViewFactory(article=article, day=ago(day), views=3 + n * day % 7, unique_readers=2)
            ReadDepthDay.objects.create(article=article, day=ago(day), readers=30, completions=n)
    return articles


def test_the_ranking_and_the_chart_kept_or_not_equal_the_sum_of_the_rows(
    month_of_views, django_assert_num_queries
):
    rows = DailyView.objects.filter(day__gte=ago(29))
    views = dict(rows.values_list("article").annotate(v=Sum("views")))
    expected = sorted(views.items(), key=lambda item: (-item[1], item[0]))
    for _ in range(2):  # computed, then read back
        ranking = stats_article_ranking(period=month())
        assert [(r.article_id, r.views) for r in ranking] == expected
        assert sum(p.views for p in stats_daily(period=month())) == sum(views.values())
        assert stats_previous_views(period=month()) == sum(
            DailyView.objects.filter(day__range=(ago(59), ago(30))).values_list("views", flat=True)
        )
    with django_assert_num_queries(2):  # today's rows only: ranking, chart
        stats_article_ranking(period=month())
        stats_daily(period=month())


def test_least_read_kept_or_not_judges_completion_on_every_report(month_of_views):
    ranking = stats_article_ranking(period=month())

    def judged_on_every_report():
        items = least_read(period=month(), ranking=ranking)
        assert items
        for item in items:
            rows = ReadDepthDay.objects.filter(article_id=item.article_id, day__gte=ago(29))
            assert item.depth_readers == 120  # 4 days of the month, 30 reports each
            assert item.completions == sum(rows.values_list("completions", flat=True))

    judged_on_every_report()  # the ended days kept
    ReadDepthDay.objects.filter(day=ago(0)).update(completions=30)  # today: all finished
    judged_on_every_report()  # today's rows read again


def test_a_view_of_a_day_that_has_ended_shows_at_once(
    month_of_views, django_capture_on_commit_callbacks
):
    article = month_of_views[0]
    before = {r.article_id: r.views for r in stats_article_ranking(period=month())}
    yesterday = timezone.now() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        view_record(article_id=article.pk, ip="198.51.100.7", user_agent=BROWSER, now=yesterday)
    after = {r.article_id: r.views for r in stats_article_ranking(period=month())}
    assert after[article.pk] == before[article.pk] + 1


def test_a_flush_of_a_batch_from_before_midnight_shows_at_once(
    buffer, month_of_views, django_capture_on_commit_callbacks, django_assert_num_queries
):
    article = month_of_views[0]
    before = {r.article_id: r.views for r in stats_article_ranking(period=month())}
    yesterday = timezone.now() - timedelta(days=1)
    view_record(article_id=article.pk, ip="198.51.100.8", user_agent=BROWSER, now=yesterday)
    view_record(article_id=article.pk, ip="198.51.100.9", user_agent=BROWSER)
    with django_capture_on_commit_callbacks(execute=True):
        buffer_flush()
    after = {r.article_id: r.views for r in stats_article_ranking(period=month())}
    assert after[article.pk] == before[article.pk] + 2
    # A flush of today's views alone leaves the ended days kept.
    view_record(article_id=article.pk, ip="198.51.100.10", user_agent=BROWSER)
    with django_capture_on_commit_callbacks(execute=True):
        buffer_flush()
    with django_assert_num_queries(1):
        ranking = stats_article_ranking(period=month())
    assert {r.article_id: r.views for r in ranking}[article.pk] == before[article.pk] + 3


def test_a_deleted_articles_paths_leave_the_kept_top_pairs(
    paths_of_a_month, django_capture_on_commit_callbacks
):
    ended = Period(start=ago(29), end=ago(1))
    (first, *_) = top_pairs(period=ended)
    with django_capture_on_commit_callbacks(execute=True):
        next(a for a in paths_of_a_month if a.pk == first.from_id).delete()
    assert shown(top_pairs(period=ended)) == raw_pairs(ended)[: paths.PAIRS_SHOWN]


def test_the_scheduler_sums_the_default_view_once_so_a_mornings_first_view_is_quick(
    month_of_views, settings, django_assert_num_queries
):
    settings.REDIS_URL = ""  # the flush command still runs, and warms
    out = StringIO()
    call_command("popularity_flush", stdout=out)
    assert "summed the dashboard's ended days" in out.getvalue()
    again = StringIO()
    call_command("popularity_flush", stdout=again)
    assert "summed" not in again.getvalue()
    with django_assert_num_queries(3):  # today's rows only: ranking, chart, origin panels
        stats_article_ranking(period=month())
        stats_daily(period=history_period(month()))
        stats_breakdowns(period=month())
    week = PeriodForm({"range": "7"}).period()  # the other periods are kept too
    with django_assert_num_queries(1):
        stats_article_ranking(period=week)


def test_with_the_cache_down_the_dashboard_sums_every_day_each_time(
    month_of_views, paths_of_a_month, settings, client, owner
):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        },
    }
    views = dict(
        DailyView.objects.filter(day__gte=ago(29)).values_list("article").annotate(Sum("views"))
    )
    for _ in range(2):
        ranking = stats_article_ranking(period=month())
        assert {r.article_id: r.views for r in ranking} == views
        assert shown(top_pairs(period=month(), limit=5)) == raw_pairs(month())[:5]
    client.force_login(owner)
    assert client.get("/admin/statistics/?range=30").status_code == 200


def test_sums_read_before_a_write_to_an_ended_day_are_never_found_after_it():
    ended = Period(start=ago(29), end=ago(1))
    key = closed_days_key("ranking", ended)  # taken before reading the rows …
    closed_days_changed()  # … a write to an ended day commits meanwhile …
    cache.set(key, "the rows as they were")  # … and the view stores what it read
    assert closed_days_cached("ranking", ended, lambda: "the rows now") == "the rows now"
