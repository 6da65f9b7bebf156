from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from popularity.analysis import Period
from popularity.breakdowns import stats_breakdowns
from popularity.demo import demo_readership
from popularity.engaged import article_engagement
from popularity.models import (
    ArticleTotal,
    DailyOrigin,
    DailyView,
    ReadDepthDay,
    SectionReach,
    SiteDailyOrigin,
)
from popularity.rankings import ranking
from popularity.statistics import stats_articles
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_demo_views_fill_popular_posts_once_and_never_touch_real_counts():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo_views", stdout=StringIO())
    rows = DailyView.objects.count()
    assert rows > 100
    assert len(ranking(window="7d", limit=5)) == 5
    assert all(
        total.views
        == sum(DailyView.objects.filter(article=total.article).values_list("views", flat=True))
        for total in ArticleTotal.objects.all()
    )
    # A second run, or one after real views, adds nothing.
    call_command("load_demo_views", stdout=StringIO())
    assert DailyView.objects.count() == rows


def test_no_demo_views_for_drafts():
    draft = ArticleFactory(draft=True)
    ArticleFactory()
    call_command("load_demo_views", stdout=StringIO())
    assert not DailyView.objects.filter(article=draft).exists()


# --- issue 18: a readership shaped like a real site's ------------------------------------


def by_day(rows, article) -> dict:
    return {row.day: row.views for row in rows if row.article_id == article.pk}


def test_demo_readership_has_hits_a_long_tail_a_weekly_rhythm_and_launch_bumps():
    today = timezone.localdate()
    articles = [
        ArticleFactory(published_at=timezone.now() - timedelta(days=300)) for _ in range(12)
    ]
    launched = ArticleFactory(published_at=timezone.now() - timedelta(days=20))
    made = demo_readership(articles=[*articles, launched], today=today)

    # A few hits and a long tail: the most read has several times the median's views.
    last_month = sorted(
        (
            sum(v for d, v in by_day(made.daily, a).items() if (today - d).days < 30)
            for a in articles
        ),
        reverse=True,
    )
    assert last_month[0] > 5 * last_month[len(last_month) // 2]
    assert last_month[0] > 0.25 * sum(last_month)

    # A weekly rhythm: Saturdays are quieter than Mondays, every week of the season.
    weekday = {n: sum(r.views for r in made.daily if r.day.weekday() == n) for n in range(7)}
    assert weekday[5] < 0.8 * weekday[0]

    # A launch bump: the first days of the new article well above its settled days.
    days = by_day(made.daily, launched)
    published = launched.published_at.date()
    first = [days[published + timedelta(days=n)] for n in range(2)]
    settled = [days[d] for d in days if (d - published).days >= 14]
    assert min(first) > 2.5 * (sum(settled) / len(settled))
    assert not [d for d in days if d < published]  # nothing before publication

    # Readers at most views; the all-time totals are the days' sums.
    assert all(0 < r.unique_readers <= r.views for r in made.daily)
    totals = {t.article_id: t.views for t in made.totals()}
    assert totals[launched.pk] == sum(days.values())


def test_demo_readership_has_read_depth_so_completion_shows():
    articles = [ArticleFactory() for _ in range(3)]
    for article in articles:
        for position in range(1, 5):
            SectionFactory(article=article, position=position, anchor=f"part-{position}")
    made = demo_readership(articles=articles, today=timezone.localdate())
    assert made.depth and made.reaches
    for depth in made.depth:
        assert 0 < depth.completions < depth.readers
        reach = [
            r.readers
            for r in made.reaches
            if r.article_id == depth.article_id and r.day == depth.day
        ]
        assert len(reach) == 4 and reach == sorted(reach, reverse=True)
        assert reach[-1] >= depth.completions and reach[0] <= depth.readers


def test_the_dashboard_shows_a_completion_rate_for_every_demo_article():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo_views", stdout=StringIO())
    period = Period(start=timezone.localdate() - timedelta(days=29), end=timezone.localdate())
    rows = stats_articles(period=period)
    assert len(rows) == Article.objects.published().count()
    assert all(row.completion_rate is not None and 10 < row.completion_rate < 90 for row in rows)
    assert ReadDepthDay.objects.exists() and SectionReach.objects.exists()


def test_demo_articles_show_an_engaged_time_near_their_reading_time():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo_views", stdout=StringIO())
    period = Period(start=timezone.localdate() - timedelta(days=29), end=timezone.localdate())
    for article in Article.objects.published():
        depth = ReadDepthDay.objects.filter(article=article, day__gte=period.start)
        readers = sum(depth.values_list("readers", flat=True))
        shown = article_engagement(
            period=period,
            article_id=article.pk,
            reading_time=article.reading_time,
            depth_readers=readers,
            completions=0,
        )
        # Every reporting reader has a time; the median reader spent some of the reading time.
        assert shown.readers == readers > 0
        assert 0 < shown.median_of_reading_time < 140


def test_demo_readership_says_where_readers_came_from_and_on_what():
    """The dashboard's source, campaign and device panels show a real site's mix on the
    demo, never "nothing recorded", and add up to the views counted."""
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo_views", stdout=StringIO())
    article = DailyView.objects.order_by("-views").first()
    origins = DailyOrigin.objects.filter(article_id=article.article_id, day=article.day)
    assert sum(row.views for row in origins) == article.views
    assert origins.count() == article.origins <= 300
    assert all(row.unique_readers <= row.views for row in SiteDailyOrigin.objects.all())
    # Each reader under the way they first came: the parts add up to the whole.
    readers = sum(SiteDailyOrigin.objects.values_list("unique_readers", flat=True))
    assert readers == sum(DailyView.objects.values_list("unique_readers", flat=True))
    site_views = sum(SiteDailyOrigin.objects.values_list("views", flat=True))
    assert site_views == sum(DailyView.objects.values_list("views", flat=True))

    today = timezone.localdate()
    panels = stats_breakdowns(period=Period(today - timedelta(days=29), today))
    sources = [row.value for row in panels["sources"]]
    assert sources[0] == "Google" and {"Direct / none", "Facebook", "Newsletters"} <= set(sources)
    assert [row.value for row in panels["campaigns"]] == ["weekly-letter"]
    assert [row.value for row in panels["devices"]][:2] == ["mobile", "desktop"]
    assert "Chrome" in [row.value for row in panels["browsers"]]


# --- issue 22: what readers look for, read next and stay for -----------------------------


def test_the_demo_dashboard_fills_the_paths_searches_and_engaged_time_panels(
    client, owner, commit_callbacks
):
    # The search vectors are written after load_demo's commit: the searches need them.
    commit_callbacks(call_command, "load_demo", stdout=StringIO())
    call_command("load_demo_views", stdout=StringIO())
    client.force_login(owner)
    page = client.get("/admin/statistics/?range=30")
    assert page.status_code == 200
    context = page.context
    # Reading paths between demo articles, and every article's onward rate.
    assert len(context["pairs"]) == 10
    assert all(pair.from_id != pair.to_id and pair.readers > 0 for pair in context["pairs"])
    assert all(row.onward_rate and 5 < row.onward_rate < 40 for row in context["rows"])
    # Content gaps: searches that found nothing; none of those whose results readers open.
    gaps = {gap.query: gap for gap in context["gaps"]}
    assert {"grief", "adhd in adults"} <= gaps.keys()
    assert not {"sleep", "burnout"} & gaps.keys()
    assert any(gap.reason == "No result" for gap in gaps.values())
    # Engaged time per tag, and the least read of the older articles.
    assert all(tag.engagement and tag.engagement.median for tag in context["tags"])
    assert context["least_read"]
    html = page.content.decode()
    assert "grief" in html and context["pairs"][0].from_title in html
    # An article's page: where its readers came from, went next, and what they searched.
    sleep = Article.objects.get(slug="a-gentle-wind-down-for-better-sleep")
    context = client.get(f"/admin/statistics/articles/{sleep.pk}/?range=30").context
    assert context["paths"].came_from and context["paths"].read_next
    assert context["onward"].went_on > 0
    assert [item.query for item in context["searches"]][:1] == ["sleep"]
