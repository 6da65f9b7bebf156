"""Read-depth aggregation and what the owners' pages make of it, on hand-worked data."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from popularity.analysis import Period
from popularity.article_statistics import peer_comparison
from popularity.counting.salts import salts_rotate
from popularity.models import ReadReportSeen
from popularity.read_depth import (
    ReportedSection,
    article_top_sections,
    read_depth_summary,
    read_report_record,
)
from popularity.statistics import refresh_candidates, stats_articles
from tests.factories import (
    ArticleFactory,
    DailyAgentViewFactory,
    DailyViewFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

STATS = "/admin/statistics/"


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def article():
    article = ArticleFactory(title="Sleep")
    for position, heading in enumerate(["Why", "How", "When", "Last"], start=1):
        SectionFactory(article=article, position=position, heading=heading)
    return article


def sections_of(article) -> list[ReportedSection]:
    return [
        ReportedSection(n, anchor, heading)
        for n, (anchor, heading) in enumerate(article_top_sections(article_id=article.pk), 1)
    ]


def readers_report(article, depths, *, when=None, complete_last=False):
    """One report per depth, each from another reader; the last completes if asked."""
    sections = sections_of(article)
    for n, depth in enumerate(depths):
        complete = complete_last and n == len(depths) - 1
        assert read_report_record(
            article_id=article.pk,
            token_day=timezone.localdate(),
            sections=sections,
            deepest=depth,
            complete=complete,
            ip=f"203.0.113.{n}",
            user_agent="Browser",
            now=when,
        )


def summary(article, days=30):
    return read_depth_summary(
        period=Period(start=ago(days - 1), end=ago(0)),
        article_id=article.pk,
        current_sections=article_top_sections(article_id=article.pk),
    )


def test_funnel_shares_median_completion_and_biggest_drop(article):
    # Ten readers: deepest 0, 1, 1, 2, 2, 2, 2, 3, 4, and one who read to the end.
    readers_report(article, [0, 1, 1, 2, 2, 2, 2, 3, 4, 1], complete_last=True)
    depth = summary(article)
    assert (depth.readers, depth.completions, depth.completion_rate) == (10, 1, 10.0)
    assert [(s.heading, s.readers) for s in depth.steps] == [
        ("Why", 9),
        ("How", 7),
        ("When", 3),
        ("Last", 2),
    ]
    assert [round(s.share) for s in depth.steps] == [90, 70, 30, 20]
    # Stopped at: 0 → 1 reader, 1 → 2, 2 → 4 (cumulative 7 ≥ 5): the median is section 2.
    assert depth.median_depth == 2
    assert depth.biggest_drop.heading == "When"  # 70% → 30%
    assert not depth.changed


def test_days_add_up_and_the_period_chooses_them(article):
    readers_report(article, [1, 2], when=timezone.now() - timedelta(days=10))
    readers_report(article, [4], complete_last=True)
    assert summary(article, days=30).readers == 3
    week = summary(article, days=7)
    assert (week.readers, week.completions) == (1, 1)
    assert [s.readers for s in week.steps] == [1, 1, 1, 1]


def test_sections_nobody_reached_show_at_zero(article):
    readers_report(article, [1])
    depth = summary(article)
    assert [s.readers for s in depth.steps] == [1, 0, 0, 0]
    assert depth.biggest_drop.heading == "How"


def test_no_reports_is_an_empty_summary(article):
    depth = summary(article)
    assert (depth.readers, depth.completion_rate, depth.median_depth) == (0, None, None)
    assert depth.biggest_drop is None


def test_earlier_sections_still_show_as_readers_saw_them(article, client, owner):
    readers_report(article, [2, 3])
    # The editor renames the second section and drops the last.
    how = article.sections.get(heading="How")
    how.heading, how.anchor = "How to rest", "how-to-rest"
    how.save()
    article.sections.get(heading="Last").delete()
    depth = summary(article)
    assert [(s.heading, s.current) for s in depth.steps] == [
        ("Why", True),
        ("How", False),
        ("When", True),
    ]
    assert depth.changed
    client.force_login(owner)
    html = client.get(f"{STATS}articles/{article.pk}/").content.decode()
    assert "2. How <small>(earlier version)</small>" in html
    assert "The sections have changed" in html


def test_the_drill_down_shows_the_funnel(article, client, owner):
    readers_report(article, [1, 2, 2, 4], complete_last=True)
    client.force_login(owner)
    html = client.get(f"{STATS}articles/{article.pk}/").content.decode()
    assert "Completion rate</dt><dd>25%" in html
    assert "Median read depth</dt><dd>section 2" in html
    assert 'data-readers="4">4 of 4 (100%)' in html
    assert 'data-readers="1">1 of 4 (25%)' in html
    assert "before section 3" in html  # 75% → 25%


def test_the_ranking_shows_completion_rate_beside_views(article, client, owner):
    other = ArticleFactory(title="Unmeasured")
    DailyViewFactory(article=article, day=ago(0), views=8, unique_readers=4)
    DailyViewFactory(article=other, day=ago(0), views=5, unique_readers=5)
    readers_report(article, [1, 2, 4, 4], complete_last=True)
    rows = {row.title: row for row in stats_articles(period=Period(start=ago(6), end=ago(0)))}
    assert rows["Sleep"].completion_rate == 25.0
    assert rows["Unmeasured"].completion_rate is None
    client.force_login(owner)
    html = client.get(STATS + "?range=7").content.decode()
    assert '<td class="num" data-label="Completion">25%</td>' in html
    csv_lines = client.get(STATS + "export.csv?range=7").content.decode().splitlines()
    assert csv_lines[0].endswith(",completion %,onward %")
    assert csv_lines[1].startswith("1,Sleep,") and csv_lines[1].endswith(",25,0")
    assert csv_lines[2].startswith("2,Unmeasured,") and csv_lines[2].endswith(",,0")


def test_a_new_day_forgets_who_reported(article):
    readers_report(article, [1])
    assert ReadReportSeen.objects.count() == 1
    salts_rotate(today=ago(-1))
    assert ReadReportSeen.objects.count() == 0


def test_refresh_candidates_are_read_a_lot_and_unchanged_for_long(client, owner, settings):
    settings.POPULARITY_REFRESH_MIN_VIEWS = 20
    settings.POPULARITY_REFRESH_STALE_DAYS = 365
    settings.POPULARITY_REFRESH_WINDOW_DAYS = 30
    stale_popular = ArticleFactory(title="Stale and read")
    stale_quiet = ArticleFactory(title="Stale and quiet")
    fresh_popular = ArticleFactory(title="Fresh and read")
    stale_draft = ArticleFactory(title="Stale draft", draft=True)
    stale_long_ago = ArticleFactory(title="Read long ago")
    long_ago = timezone.now() - timedelta(days=400)
    for article in (stale_popular, stale_quiet, stale_draft, stale_long_ago):
        type(article).objects.filter(pk=article.pk).update(published_at=long_ago)
    for article, views in ((stale_popular, 12), (stale_quiet, 5), (fresh_popular, 50)):
        DailyViewFactory(article=article, day=ago(0), views=views, unique_readers=1)
        DailyViewFactory(article=article, day=ago(20), views=views, unique_readers=1)
    DailyViewFactory(article=stale_draft, day=ago(1), views=90, unique_readers=9)
    DailyViewFactory(article=stale_long_ago, day=ago(40), views=90, unique_readers=9)

    (candidate,) = refresh_candidates()
    assert (candidate.title, candidate.views) == ("Stale and read", 24)
    client.force_login(owner)
    html = client.get(STATS).content.decode()
    table = html[html.index('id="refresh-table"') :]
    assert "Views, last 30 days" in table  # its own window, whatever the period shown
    assert f'/articles/article/{stale_popular.pk}/change/">Stale and read</a>' in table
    assert "Fresh and read" not in table.split("</table>")[0]


def test_a_refresh_is_due_from_the_last_update_readers_were_told_of(settings):
    """Featuring an article or fixing a typo saves it, but readers still read the old text:
    it stays a candidate until an editor marks a change as substantive."""
    settings.POPULARITY_REFRESH_MIN_VIEWS = 5
    article = ArticleFactory(title="Old guide", published_at=timezone.now() - timedelta(days=900))
    DailyViewFactory(article=article, day=ago(1), views=50, unique_readers=40)
    article.featured = True
    article.save()  # updated_at is now
    assert [c.title for c in refresh_candidates()] == ["Old guide"]
    type(article).objects.filter(pk=article.pk).update(substantive_change_at=timezone.now())
    assert refresh_candidates() == []


def test_first_week_against_the_median_of_its_main_tag(client, owner):
    def published(title, days_ago, tags):
        return ArticleFactory(
            title=title, published_at=timezone.now() - timedelta(days=days_ago), tags=tags
        )

    article = published("Measured", 30, ["anxiety", "sleep"])  # primary: anxiety, most used
    DailyViewFactory(article=article, day=ago(30), views=40, unique_readers=1)
    DailyViewFactory(article=article, day=ago(24), views=20, unique_readers=1)  # day 7
    DailyViewFactory(article=article, day=ago(23), views=99, unique_readers=1)  # day 8: not
    for title, views in (("Peer A", 10), ("Peer B", 20), ("Peer C", 50)):
        peer = published(title, 60, ["anxiety"])
        DailyViewFactory(article=peer, day=ago(58), views=views, unique_readers=1)
    young = published("Too young", 2, ["anxiety"])  # its first week is not over: not a peer
    DailyViewFactory(article=young, day=ago(1), views=500, unique_readers=1)
    other = published("Other tag", 60, ["sleep"])
    DailyViewFactory(article=other, day=ago(59), views=900, unique_readers=1)
    DailyViewFactory(article=published("Archive", 400, ["sleep"]), day=ago(365))  # counted since

    peers = peer_comparison(article=article, counted_since=ago(365))
    assert (peers.tag, peers.first_week_views, peers.first_week_complete) == ("anxiety", 60, True)
    assert (peers.peers, peers.peer_median, peers.ratio) == (3, 20, 3.0)
    assert peer_comparison(article=young, counted_since=ago(365)).first_week_complete is False
    client.force_login(owner)
    html = client.get(f"{STATS}articles/{article.pk}/").content.decode()
    assert "<strong>60 views</strong>" in html
    assert "3 other articles tagged “anxiety”: <strong>20 views</strong> (3.0× the median)" in html

    # The editor files it under "sleep" first: its peers are the sleep articles.
    article.primary_tag = Tag.objects.get(name="sleep")
    article.save()
    peers = peer_comparison(article=article, counted_since=ago(365))
    assert (peers.tag, peers.peers, peers.peer_median) == ("sleep", 1, 900)


def test_days_far_above_the_usual_level_are_flagged(article, client, owner, settings):
    settings.POPULARITY_SPIKE_FACTOR = 5
    settings.POPULARITY_SPIKE_MIN_VIEWS = 50
    for age in range(5, 25):  # a steady 10 a day, before and inside the week
        DailyViewFactory(article=article, day=ago(age), views=10, unique_readers=5)
    DailyViewFactory(article=article, day=ago(3), views=400, unique_readers=2)  # spike
    DailyViewFactory(article=article, day=ago(2), views=45, unique_readers=40)  # under 50
    DailyViewFactory(article=article, day=ago(1), views=49, unique_readers=40)
    client.force_login(owner)
    html = client.get(f"{STATS}articles/{article.pk}/?range=7").content.decode()
    assert re.findall(r'data-spike="([\d-]+)"', html) == [ago(3).isoformat()]
    assert "400 views, 40× its usual 10 a day" in html
    # The chart still covers the chosen seven days only.
    assert re.search(r'data-total="views">(\d+)<', html).group(1) == str(10 * 2 + 400 + 45 + 49)


BOT = "<script>alert(1)</script> python-requests/2.31"


@pytest.fixture
def unusual_week(article, settings):
    """A steady 10 views a day, then three spikes: one client, many browsers, and a day
    from before browsers were counted."""
    settings.POPULARITY_SPIKE_FACTOR = 5
    settings.POPULARITY_SPIKE_MIN_VIEWS = 50
    settings.POPULARITY_SPIKE_AGENT_SHARE = 0.5
    for age in range(4, 25):
        DailyViewFactory(article=article, day=ago(age), views=10, unique_readers=5)
    spikes = {
        3: {BOT: 372, "Firefox/127.0": 28},
        2: {"Firefox/127.0": 100, "Chrome/126.0": 100, "Safari/17.5": 100},
        1: {},
    }
    for age, by_agent in spikes.items():
        DailyViewFactory(article=article, day=ago(age), views=sum(by_agent.values()) or 200)
        for agent, views in by_agent.items():
            DailyAgentViewFactory(article=article, day=ago(age), agent=agent, views=views)
    return article


def spike_items(html: str) -> dict[str, str]:
    """{day: the flagged day's list item} as the page shows them."""
    return dict(re.findall(r'<li data-spike="([\d-]+)"(.*?)</li>', html, re.S))


def test_a_spike_says_how_much_came_from_one_browser(unusual_week, client, owner):
    client.force_login(owner)
    html = client.get(f"{STATS}articles/{unusual_week.pk}/?range=7").content.decode()
    items = spike_items(html)
    assert list(items) == [ago(3).isoformat(), ago(2).isoformat(), ago(1).isoformat()]

    bot = items[ago(3).isoformat()]
    assert "400 views, 40× its usual 10 a day — 93% from one browser: " in bot
    # What the client sent is shown as text, never run as markup.
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt; python-requests/2.31</code>" in bot
    assert 'class="stats-spike--bot"' in bot and "Likely a bot burst" in bot
    assert "<script>alert(1)" not in html

    spread = items[ago(2).isoformat()]
    assert "300 views, 30× its usual 10 a day — 33% from one browser: <code>" in spread
    assert "stats-spike--bot" not in spread and "bot burst" not in spread

    before = items[ago(1).isoformat()]
    assert "200 views, 20× its usual 10 a day — " in before
    assert "no browser breakdown" in before and "%" not in before


def test_the_article_page_adds_one_query_for_its_spikes_only(
    unusual_week, client, owner, django_assert_num_queries
):
    page = f"{STATS}articles/{unusual_week.pk}/"
    client.force_login(owner)
    client.get(page)  # warm the session
    # session, user, user and group permissions, article; the first counted day (site);
    # daily series (with the baseline), the article's first counted day, previous total;
    # peers: tag (none); sections; read depth: totals, reaches; engaged time; every origin
    # panel; the owners' notes on the days; the searches that lead to the article; its
    # reading paths (came from, read next) and onward rate
    with django_assert_num_queries(20):  # the steady days before the spikes
        client.get(f"{page}?start={ago(10)}&end={ago(4)}")
    # … and one for the spike days' top browsers; the origin panels of a period that ends
    # today read its ended days (then kept) and today apart: one more
    with django_assert_num_queries(22):
        client.get(f"{page}?range=7")
