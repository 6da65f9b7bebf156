"""The dashboard's statistics on hand-made data whose answers are worked out by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from popularity.analysis import Period, Spike
from popularity.article_statistics import spikes_with_agents
from popularity.statistics import stats_articles, stats_daily, stats_tags
from tests.factories import ArticleFactory, DailyAgentViewFactory, DailyViewFactory

pytestmark = pytest.mark.django_db


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def test_daily_series_has_a_point_for_every_day():
    article = ArticleFactory()
    DailyViewFactory(article=article, day=ago(1), views=4, unique_readers=3)
    points = stats_daily(period=Period(start=ago(3), end=ago(0)))
    assert [(p.day, p.views, p.unique_readers) for p in points] == [
        (ago(3), 0, 0),
        (ago(2), 0, 0),
        (ago(1), 4, 3),
        (ago(0), 0, 0),
    ]


def test_article_table_has_share_and_change_against_the_previous_period():
    up, down, new = (ArticleFactory(title=t) for t in ("Up", "Down", "New"))
    gone = ArticleFactory(title="Unpublished since", draft=True)
    # Period: the last 7 days; the previous period: the 7 days before them.
    DailyViewFactory(article=up, day=ago(0), views=30, unique_readers=20)
    DailyViewFactory(article=up, day=ago(8), views=20, unique_readers=20)
    DailyViewFactory(article=down, day=ago(6), views=10, unique_readers=9)
    DailyViewFactory(article=down, day=ago(13), views=40, unique_readers=30)
    DailyViewFactory(article=down, day=ago(14), views=999)  # before the previous period
    DailyViewFactory(article=new, day=ago(2), views=10, unique_readers=10)
    DailyViewFactory(article=gone, day=ago(1), views=50, unique_readers=45)
    rows = stats_articles(period=Period(start=ago(6), end=ago(0)))
    summary = [
        (r.rank, r.title, r.views, r.unique_readers, round(r.share, 1), r.previous_views, r.change)
        for r in rows
    ]
    assert summary == [
        (1, "Unpublished since", 50, 45, 50.0, 0, None),
        (2, "Up", 30, 20, 30.0, 20, 50.0),
        (3, "New", 10, 10, 10.0, 0, None),
        (4, "Down", 10, 9, 10.0, 40, -75.0),
    ]


def test_all_time_has_no_previous_period():
    DailyViewFactory(day=ago(50), views=5)
    (row,) = stats_articles(period=Period(start=ago(60), end=ago(0), compare=False))
    assert (row.previous_views, row.change, row.share) == (None, None, 100.0)


def test_tags_by_views():
    DailyViewFactory(article=ArticleFactory(tags=["sleep", "stress"]), day=ago(1), views=10)
    DailyViewFactory(article=ArticleFactory(tags=["sleep"]), day=ago(2), views=5)
    DailyViewFactory(article=ArticleFactory(tags=["kindness"]), day=ago(40), views=500)
    rows = stats_tags(period=Period(start=ago(6), end=ago(0)))
    assert [(r.name, r.views, r.articles) for r in rows] == [("sleep", 15, 2), ("stress", 10, 1)]


def test_each_spike_day_gets_its_top_browser_and_share_in_one_query(
    settings, django_assert_num_queries
):
    settings.POPULARITY_SPIKE_AGENT_SHARE = 0.5
    article, other = ArticleFactory(), ArticleFactory()
    agents = {
        ago(3): {"python-requests/2.31": 372, "Firefox": 20, "Chrome": 8},  # one client
        ago(2): {"Firefox": 40, "Chrome": 40, "Safari": 20},  # spread; a tie at the top
        ago(1): {"curl/8.0": 30},  # counted by agent only since part-way through the day
    }
    for day, by_agent in agents.items():
        for agent, views in by_agent.items():
            DailyAgentViewFactory(article=article, day=day, agent=agent, views=views)
    DailyAgentViewFactory(article=other, day=ago(2), agent="Safari", views=999)
    found = [
        Spike(day=ago(40), views=90, usual=2),  # before agents were counted
        Spike(day=ago(3), views=400, usual=8),
        Spike(day=ago(2), views=100, usual=8),
        Spike(day=ago(1), views=60, usual=8),
    ]

    with django_assert_num_queries(1):
        rows = spikes_with_agents(article_id=article.pk, found=found)

    summary = [(s.day, s.top_agent, s.top_agent_share, s.likely_bot) for s in rows]
    assert summary == [
        (ago(40), None, None, False),
        (ago(3), "python-requests/2.31", 0.93, True),
        (ago(2), "Chrome", 0.4, False),  # alphabetically first of the two at 40
        (ago(1), "curl/8.0", 1.0, True),  # of the 30 views whose agent is known
    ]
    assert rows[3].agent_views == 30
    with django_assert_num_queries(0):
        assert spikes_with_agents(article_id=article.pk, found=[]) == []


def test_refresh_candidates_name_health_articles_whose_medical_review_is_needed(
    client, owner, settings, django_assert_num_queries
):
    from articles import services
    from articles.medical_review import months_before
    from popularity.statistics import refresh_candidates
    from tests.factories import ReviewerFactory, SectionFactory

    settings.MEDICAL_REVIEW_DUE_AFTER_MONTHS = 12
    settings.POPULARITY_REFRESH_MIN_VIEWS = 1000  # no article is listed for its views
    doctor = ReviewerFactory()

    def health(title, *, reviewed_on=None):
        article = ArticleFactory(title=title, health_content=True)
        SectionFactory(article=article, position=1)
        if reviewed_on is not None:
            services.article_review_record(
                article=article, reviewer=doctor, reviewed_on=reviewed_on
            )
        return article

    health("Never reviewed")
    due = health("Reviewed long ago", reviewed_on=months_before(ago(0), 13))
    changed = health("Edited after review", reviewed_on=ago(10))
    section = changed.sections.get()
    section.body = "<p>A new dose.</p>"
    section.save()
    services.article_refresh_derived(article_id=changed.pk)
    health("Reviewed lately", reviewed_on=ago(10))
    ArticleFactory(title="Not health content")
    ArticleFactory(title="Health draft", health_content=True, draft=True)
    DailyViewFactory(article=due, day=ago(1), views=7, unique_readers=5)

    with django_assert_num_queries(2):  # the much-read stale articles, the health articles
        found = refresh_candidates()
    assert [(c.title, c.views, c.reasons) for c in found] == [
        ("Reviewed long ago", 7, ("Medical review due",)),
        ("Never reviewed", 0, ("Never medically reviewed",)),  # as read: the older first
        ("Edited after review", 0, ("Changed since its medical review",)),
    ]

    client.force_login(owner)
    html = client.get("/admin/statistics/").content.decode()
    table = html[
        html.index('id="refresh-table"') : html.index("</table>", html.index('id="refresh-table"'))
    ]
    assert 'data-label="Why">Never medically reviewed</td>' in table
    assert "Reviewed lately" not in table and "Not health content" not in table


def test_a_much_read_health_article_due_for_review_has_both_reasons(settings):
    from articles import services
    from articles.medical_review import months_before
    from popularity.statistics import refresh_candidates
    from tests.factories import ReviewerFactory

    settings.POPULARITY_REFRESH_MIN_VIEWS = 5
    article = ArticleFactory(title="Old and read", health_content=True)
    services.article_review_record(
        article=article, reviewer=ReviewerFactory(), reviewed_on=months_before(ago(0), 24)
    )
    type(article).objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timedelta(days=400)
    )
    DailyViewFactory(article=article, day=ago(1), views=9, unique_readers=9)
    (candidate,) = refresh_candidates()
    assert candidate.reasons == ("Read a lot, unchanged for long", "Medical review due")
