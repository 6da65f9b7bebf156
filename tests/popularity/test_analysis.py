"""The analysis behind the dashboard and the counting rule, on plain data: no database."""

from datetime import UTC, date, datetime, timedelta

from popularity.analysis import (
    DayPoint,
    Period,
    RefreshCandidate,
    Spike,
    change_text,
    chart_note,
    peers_compare,
    percent_change,
    period_compared,
    points_since,
    refresh_rank,
    spike_with_agent,
    spikes,
)
from popularity.counting.buffer import BufferedView
from popularity.counting.rule import CountingRule, rule_apply
from popularity.read_depth import funnel_steps

DAY = date(2025, 3, 1)
NOON = datetime(2025, 3, 1, 12, tzinfo=UTC)


def days(*views: int) -> list[DayPoint]:
    return [DayPoint(DAY + timedelta(days=n), v, v) for n, v in enumerate(views)]


def test_a_day_far_above_the_median_of_the_fortnight_before_is_a_spike():
    points = days(*[4] * 14, 60, 19, 100)  # usual 4; then 15×, under 5×, and 25× again
    found = spikes(points=points, since=DAY, first_day=None, factor=5, least=50)
    assert [(s.day, s.views, s.usual) for s in found] == [
        (DAY + timedelta(days=14), 60, 4),
        (DAY + timedelta(days=16), 100, 4),
    ]
    assert found[0].ratio == 15


def test_a_spike_needs_the_minimum_views_and_a_full_fortnight_before_it():
    quiet = days(*[0] * 14, 40)  # 40× a quiet article's usual (at least 1) but under 50
    assert spikes(points=quiet, since=DAY, first_day=None, factor=5, least=50) == []
    early = days(*[1] * 13, 500)  # only 13 days of history before it
    assert spikes(points=early, since=DAY, first_day=None, factor=5, least=50) == []


def test_one_browser_sending_most_of_a_spike_marks_it_a_likely_bot():
    spike = Spike(day=DAY, views=400, usual=8)
    bot = spike_with_agent(
        spike, top_agent="curl/8.0", top_agent_views=300, agent_views=400, bot_share=0.5
    )
    assert (bot.top_agent_percent, bot.likely_bot) == (75.0, True)
    crowd = spike_with_agent(
        spike, top_agent="Firefox", top_agent_views=150, agent_views=400, bot_share=0.5
    )
    assert crowd.likely_bot is False
    assert spike.likely_bot is False and spike.top_agent_share is None


def compare(**given):
    """peers_compare for a "sleep" article first read on 1 March, judged on 20 March, on a
    site counting views since 1 January, with what the test gives instead."""
    return peers_compare(
        **{
            "tag": "sleep",
            "first_day": date(2025, 3, 1),
            "first_week_views": 90,
            "peers": [],
            "today": date(2025, 3, 20),
            "counted_since": date(2025, 1, 1),
            **given,
        }
    )


def test_first_week_against_the_median_of_peers_whose_first_week_is_over():
    result = compare(
        peers=[(date(2025, 2, 1), 10), (date(2025, 2, 2), 30), (date(2025, 3, 18), 999)]
    )
    assert (result.peers, result.peer_median, result.ratio) == (2, 20, 4.5)
    assert (result.others, result.too_young, result.uncounted) == (3, 1, 0)
    assert result.first_week_complete is True
    young = compare(first_day=date(2025, 3, 17), first_week_views=5)
    assert (young.first_week_complete, young.peer_median, young.ratio) == (False, None, None)


def test_peers_published_before_views_were_counted_are_left_out_not_taken_as_zero():
    # Counting began on 1 February: the two January weeks have no rows (None), nor does
    # the half-counted one of 28 January; a counted week nobody read is 0.
    result = compare(
        peers=[
            (date(2025, 1, 5), None),
            (date(2025, 1, 12), None),
            (date(2025, 1, 28), 12),
            (date(2025, 2, 3), 60),
            (date(2025, 2, 10), None),
            (date(2025, 2, 17), 40),
        ],
        counted_since=date(2025, 2, 1),
    )
    assert (result.peers, result.peer_median, result.uncounted) == (3, 40, 3)
    assert result.ratio == 90 / 40
    # The article's own first week, before counting began, has no figure either.
    early = compare(
        first_day=date(2025, 1, 20),
        first_week_views=None,
        peers=[(date(2025, 2, 3), 60)],
        counted_since=date(2025, 2, 1),
    )
    assert (early.first_week_views, early.ratio, early.peer_median) == (None, None, 60)
    # A week counted from its first day but without a row: nobody read it.
    unread = compare(first_day=date(2025, 2, 5), first_week_views=None)
    assert unread.first_week_views == 0


def test_an_article_not_published_yet_has_no_first_week_to_compare():
    scheduled = compare(
        first_day=date(2025, 4, 1), first_week_views=None, peers=[(date(2025, 2, 3), 60)]
    )
    assert scheduled.first_week_begun is False
    assert (scheduled.first_week_views, scheduled.ratio, scheduled.peer_median) == (None, None, 60)
    assert compare(first_day=date(2025, 3, 20)).first_week_begun is True  # published today


def test_the_only_article_with_its_tag_is_told_apart_from_peers_not_comparable_yet():
    alone = compare(tag="botox")
    assert (alone.others, alone.peers, alone.peer_median) == (0, 0, None)
    waiting = compare(tag="botox", peers=[(date(2025, 3, 18), 4)])
    assert (waiting.others, waiting.too_young, waiting.peer_median) == (1, 1, None)


def test_the_launch_week_is_not_a_spike_against_the_days_before_publication():
    launch = DAY + timedelta(days=14)
    # Nothing before publication (the article did not exist), a launch bump settling to
    # about 40 a day, and one real spike three weeks on.
    points = days(*[0] * 14, 300, 220, 160, 120, 90, 60, 50, *[40] * 14, 400)
    found = spikes(points=points, since=launch, first_day=launch, factor=5, least=50)
    assert [(s.day, s.views, s.usual) for s in found] == [(points[-1].day, 400, 40)]
    # Published late in the evening: its first full day is no spike against a part day.
    evening = days(*[0] * 14, 3, 300, 280, 260, 250)
    assert spikes(points=evening, since=launch, first_day=launch, factor=5, least=50) == []


def test_a_spike_over_a_usual_level_under_one_view_is_not_a_multiple_of_zero():
    quiet = Spike(day=DAY, views=68, usual=0)
    assert (quiet.ratio, quiet.usual_text) == (None, "usually none a day")
    assert Spike(day=DAY, views=68, usual=0.5).usual_text == "usually under 1 a day"
    usual = Spike(day=DAY, views=60, usual=4)
    assert (usual.ratio, usual.usual_text) == (15, "15× its usual 4 a day")
    assert Spike(day=DAY, views=60, usual=2.5).usual_text == "24× its usual 2.5 a day"


def test_the_chart_says_where_it_starts_and_why():
    month = Period(start=date(2025, 3, 1), end=date(2025, 3, 30))
    site = {"period": month}
    assert chart_note(**site, counted_since=date(2025, 1, 1)) == ""
    assert chart_note(**site, counted_since=date(2025, 3, 10)) == (
        "Views are counted from 10 March 2025: the chart starts there."
    )
    assert chart_note(**site, counted_since=None) == (
        "No view has been counted yet: nothing to chart."
    )
    article = {"period": month, "counted_since": date(2025, 1, 1), "article": True}
    assert chart_note(**article, first_day=date(2025, 2, 1)) == ""
    assert chart_note(**article, first_day=date(2025, 3, 12)) == (
        "Public from 12 March 2025: the chart starts there."
    )
    assert chart_note(**article, first_day=date(2025, 4, 2)) == (
        "Public from 2 April 2025, after this period: nothing to chart."
    )
    assert chart_note(**article, first_day=None) == "Never published yet: nothing to chart."
    older = {**article, "counted_since": date(2025, 3, 10)}
    assert chart_note(**older, first_day=date(2024, 6, 1)) == (
        "Views are counted from 10 March 2025: the chart starts there."
    )


def test_the_chart_keeps_only_the_days_the_article_existed():
    points = days(0, 0, 5, 7)
    assert [p.views for p in points_since(points, DAY + timedelta(days=2))] == [5, 7]
    assert points_since(points, DAY - timedelta(days=9)) == points
    assert points_since(points, None) == []  # never public, never read


def test_refresh_candidates_most_read_first_then_longest_unchanged():
    now = datetime(2025, 3, 1, tzinfo=UTC)
    old = now - timedelta(days=400)

    def candidate(pk, views, updated_at):
        return RefreshCandidate(pk, f"A{pk}", views, updated_at)

    rows = [
        candidate(1, 150, old),
        candidate(2, 500, old),
        candidate(3, 150, old - timedelta(days=30)),  # as read as 1, unchanged for longer
        candidate(4, 99, old),  # not read enough
        candidate(5, 900, now - timedelta(days=10)),  # edited recently
    ]
    ranked = refresh_rank(rows, now=now, stale_after=timedelta(days=365), min_views=100, limit=2)
    assert [c.article_id for c in ranked] == [2, 3]


def test_percent_change_needs_a_previous_figure():
    assert percent_change(30, 20) == 50.0
    assert percent_change(30, 0) is None and percent_change(30, None) is None


def test_a_period_is_compared_only_with_a_period_counted_from_its_first_day():
    week = Period(start=date(2025, 3, 8), end=date(2025, 3, 14))  # the week before: 1–7 March
    assert period_compared(week, counted_since=date(2025, 3, 1)).compare is True
    assert period_compared(week, counted_since=date(2025, 3, 2)).compare is False
    assert period_compared(week, counted_since=None).compare is False
    all_time = Period(start=date(2025, 1, 1), end=date(2025, 3, 14), compare=False)
    assert period_compared(all_time, counted_since=date(2024, 1, 1)).compare is False


def test_the_change_says_new_only_when_there_are_views_now_and_none_before():
    assert change_text(30, 20) == "+50.0%"
    assert change_text(10, 40) == "-75.0%"
    assert change_text(30, 0) == "new"
    assert change_text(0, 0) == "no change"
    assert change_text(0, None) == "—"  # all time: no period before it


def test_the_counting_rule_counts_a_reader_again_only_after_the_gap_and_up_to_the_cap():
    rule = CountingRule(repeat_after=timedelta(minutes=30), max_views=2)
    seen = [
        BufferedView(
            article_id=1, day=DAY, reader=7, agent="Firefox", at=NOON + timedelta(minutes=m)
        )
        for m in (0, 5, 31, 70)  # counts; a reload; counts after the gap; over the cap
    ]
    verdicts = rule_apply(reversed(seen), state={}, rule=rule)
    assert [(v.at, new) for v, new in verdicts.counted] == [(seen[0].at, True), (seen[2].at, False)]
    assert verdicts.overruled == {(DAY, 7)}
    assert verdicts.state[(DAY, 7)] == (2, seen[2].at)


def test_the_counting_rule_respects_what_postgres_already_counted():
    rule = CountingRule(repeat_after=timedelta(minutes=30), max_views=3)
    view = BufferedView(article_id=1, day=DAY, reader=7, agent="Firefox", at=NOON)
    known = {(DAY, 7): (1, NOON - timedelta(minutes=10))}  # counted on the other path
    assert rule_apply([view], state=known, rule=rule).counted == []
    known = {(DAY, 7): (1, NOON - timedelta(minutes=40))}
    assert rule_apply([view], state=known, rule=rule).counted == [(view, False)]


def test_the_funnel_from_reach_counts_keeps_old_headings_and_zero_steps():
    rows = [(1, "why", "Why", 8), (1, "why", "Why it works", 2), (2, "how", "How", 5)]
    current = [("why", "Why"), ("how", "How"), ("when", "When")]
    steps = funnel_steps(rows, readers=10, current_sections=current)
    summary = [(s.position, s.readers, s.share, s.drop, s.earlier_headings) for s in steps]
    assert summary == [
        (1, 10, 100.0, 0.0, ("Why it works",)),
        (2, 5, 50.0, 50.0, ()),
        (3, 0, 0.0, 50.0, ()),
    ]
