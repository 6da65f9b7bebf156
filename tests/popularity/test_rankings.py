"""Rankings and view totals on hand-made data whose answers are worked out by hand."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from popularity.rankings import Window, ranking, ranking_cached, trending_weights
from popularity.totals import article_view_totals
from tests.factories import ArticleFactory, DailyViewFactory

pytestmark = pytest.mark.django_db


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def titles(rows) -> list[str]:
    return [row.title for row in rows]


@pytest.fixture
def library():
    """Four articles read on known days (0 = today)."""
    spec = {
        "A": [(0, 10), (6, 5), (20, 100), (100, 1000)],
        "B": [(3, 20)],
        "C": [(7, 50)],
        "D": [(30, 30)],
    }
    for title, days in spec.items():
        article = ArticleFactory(title=title)
        for age, views in days:
            DailyViewFactory(article=article, day=ago(age), views=views, unique_readers=views)


def test_seven_days_include_today_and_six_days_back(library):
    rows = ranking(window=Window.WEEK)
    assert titles(rows) == ["B", "A"]
    assert [row.views for row in rows] == [20, 15]


def test_thirty_days(library):
    rows = ranking(window=Window.MONTH)
    assert [(row.title, row.views) for row in rows] == [("A", 115), ("C", 50), ("B", 20)]


def test_all_time(library):
    rows = ranking(window=Window.ALL)
    assert [(row.title, row.views) for row in rows] == [
        ("A", 1115),
        ("C", 50),
        ("D", 30),
        ("B", 20),
    ]


def test_trending_weighs_days_by_exponential_decay(library, settings):
    settings.POPULARITY_TRENDING_HALF_LIFE_DAYS = 2
    weights = trending_weights(today=timezone.localdate())
    assert [weights[ago(age)] for age in (0, 2, 3, 6, 7)] == [
        1_000_000,
        500_000,
        353_553,
        125_000,
        88_388,
    ]
    # A: 10×1e6 + 5×125000 = 10.6M; B: 20×353553 = 7.1M; C: 50×88388 = 4.4M; D is too old.
    assert titles(ranking(window=Window.TRENDING)) == ["A", "B", "C"]


def test_a_new_article_taking_off_beats_an_old_favourite_in_trending():
    old = ArticleFactory(title="Old favourite", published_at=timezone.now() - timedelta(days=400))
    DailyViewFactory(article=old, day=ago(40), views=5000)
    for age in range(14):
        DailyViewFactory(article=old, day=ago(age), views=3)
    new = ArticleFactory(title="New and rising")
    DailyViewFactory(article=new, day=ago(0), views=60)
    assert titles(ranking(window=Window.TRENDING)) == ["New and rising", "Old favourite"]
    assert titles(ranking(window=Window.ALL)) == ["Old favourite", "New and rising"]


def test_last_24_hours_adds_the_part_of_yesterday_still_inside_them():
    now = timezone.make_aware(datetime.combine(timezone.localdate(), time(6, 0)))
    published = timezone.now() - timedelta(days=10)
    x = ArticleFactory(title="X", published_at=published)
    z = ArticleFactory(title="Z", published_at=published + timedelta(hours=1))
    y = ArticleFactory(title="Y", published_at=published)
    DailyViewFactory(article=x, day=ago(0), views=10)
    DailyViewFactory(article=y, day=ago(1), views=16)
    DailyViewFactory(article=z, day=ago(1), views=12)
    DailyViewFactory(article=z, day=ago(0), views=1)
    DailyViewFactory(article=x, day=ago(2), views=500)  # older than 24 hours
    # At 06:00, 18 of yesterday's 24 hours are inside the window: Y 16×¾ = 12,
    # Z 12×¾ + 1 = 10, X 10: Z and X tie, and the more recently published Z goes first.
    rows = ranking(window=Window.DAY, now=now)
    assert [(row.title, row.views) for row in rows] == [("Y", 12), ("Z", 10), ("X", 10)]


def test_ties_go_to_the_newer_article_then_the_higher_id():
    when = timezone.now() - timedelta(days=3)
    first = ArticleFactory(title="First", published_at=when)
    second = ArticleFactory(title="Second", published_at=when)
    newest = ArticleFactory(title="Newest", published_at=when + timedelta(minutes=1))
    for article in (first, second, newest):
        DailyViewFactory(article=article, day=ago(1), views=7)
    for window in Window:
        assert titles(ranking(window=window)) == ["Newest", "Second", "First"], window


def test_only_published_articles_are_ranked():
    ArticleFactory(title="Public")
    DailyViewFactory(article=ArticleFactory(title="Public read"), views=1)
    DailyViewFactory(article=ArticleFactory(title="Draft", draft=True), views=900)
    DailyViewFactory(article=ArticleFactory(title="Later", scheduled=True), views=900)
    for window in Window:
        assert titles(ranking(window=window)) == ["Public read"], window


def test_limit_is_respected(library):
    assert titles(ranking(window=Window.ALL, limit=2)) == ["A", "C"]


def test_cached_ranking_costs_one_query_then_none(library, django_assert_num_queries):
    from articles.cache import content_state

    content_state()  # read by every page before its Popular Posts
    with django_assert_num_queries(1):
        first = ranking_cached(window=Window.MONTH, limit=5)
    with django_assert_num_queries(0):
        assert ranking_cached(window=Window.MONTH, limit=5) == first


def test_an_article_change_clears_cached_rankings(library, django_capture_on_commit_callbacks):
    assert titles(ranking_cached(window=Window.WEEK)) == ["B", "A"]
    from articles.models import Article

    article = Article.objects.get(title="B")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "B renamed"
        article.save()
    assert titles(ranking_cached(window=Window.WEEK)) == ["B renamed", "A"]


def test_view_totals_for_the_admin_change_list(library, django_assert_num_queries):
    from articles.models import Article

    ids = dict(Article.objects.values_list("title", "pk"))
    unread = ArticleFactory(title="Unread")
    with django_assert_num_queries(1):
        totals = article_view_totals(article_ids=[*ids.values(), unread.pk])
    assert totals == {
        ids["A"]: (15, 1115),
        ids["B"]: (20, 20),
        ids["C"]: (0, 50),
        ids["D"]: (0, 30),
        unread.pk: (0, 0),
    }
