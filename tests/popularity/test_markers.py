"""The daily chart's markers: the days articles were published (the site's chart), an
article's own publication and update (its chart), and the previous period's column."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from popularity.analysis import Period
from popularity.markers import article_markers, publications_in_period
from tests.factories import ArticleFactory, DailyViewFactory

pytestmark = pytest.mark.django_db

STATS = "/admin/statistics/"


def ago(days):
    return timezone.localdate() - timedelta(days=days)


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_the_sites_markers_are_the_days_articles_were_published(django_assert_num_queries):
    ArticleFactory(title="Late on the first day", published_at=at(ago(6), 23))
    ArticleFactory(title="Before the week", published_at=at(ago(7), 23))
    ArticleFactory(title="Still a draft", draft=True)
    ArticleFactory(title="Next week", scheduled=True)
    ArticleFactory(title="Today", published_at=timezone.now() - timedelta(minutes=1))
    with django_assert_num_queries(1):
        marks = publications_in_period(period=Period(start=ago(6), end=ago(0)))
    assert marks == {ago(6): ["Late on the first day"], ago(0): ["Today"]}


def test_an_articles_markers_are_its_publication_and_its_update():
    article = ArticleFactory(title="Sleep", published_at=at(ago(20), 9))
    article.revised_at = at(ago(1), 10)  # a typo fixed since: not a reader's update
    article.substantive_change_at = at(ago(3), 10)
    week, month = Period(start=ago(6), end=ago(0)), Period(start=ago(29), end=ago(0))
    assert article_markers(article=article, period=week) == {ago(3): ["Sleep (updated)"]}
    assert article_markers(article=article, period=month) == {
        ago(20): ["Sleep (published)"],
        ago(3): ["Sleep (updated)"],
    }
    article.substantive_change_at = at(ago(20), 11)  # on its publication day: no update
    assert article_markers(article=article, period=month) == {ago(20): ["Sleep (published)"]}


def test_the_dashboard_draws_the_previous_week_and_the_days_markers(client, owner):
    article = ArticleFactory(title="Breath", published_at=at(ago(2), 8))
    for age in range(14):
        DailyViewFactory(article=article, day=ago(age), views=100 + age, unique_readers=1)
    client.force_login(owner)
    html = client.get(STATS + "?range=7").content.decode()
    assert html.count('class="chart-previous"') == 1 and "data-chart-day=" in html
    row = html.split(f'data-day="{ago(0):%Y-%m-%d}"')[1].split("</tr>")[0]
    assert f'<td class="num" data-previous>107 <small>({ago(7):%a %-d %b})</small>' in row
    assert "Published: Breath" in html and 'data-mark="published"' in html
    # All time has no period before it: no second line, no column.
    html = client.get(STATS + "?range=all").content.decode()
    assert "chart-previous" not in html and "data-previous" not in html
