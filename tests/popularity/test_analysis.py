"""The analysis behind the dashboard and the counting rule, on plain data: no database."""

from datetime import UTC, date, datetime, timedelta

from popularity.analysis import (
    DayPoint,
    RefreshCandidate,
    Spike,
    peers_compare,
    percent_change,
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
    found = spikes(points=points, since=DAY, factor=5, least=50)
    assert [(s.day, s.views, s.usual) for s in found] == [
        (DAY + timedelta(days=14), 60, 4),
        (DAY + timedelta(days=16), 100, 4),
    ]
    assert found[0].ratio == 15


def test_a_spike_needs_the_minimum_views_and_a_full_fortnight_before_it():
    quiet = days(*[0] * 14, 40)  # 40× a quiet article's usual (at least 1) but under 50
    assert spikes(points=quiet, since=DAY, factor=5, least=50) == []
    early = days(*[1] * 13, 500)  # only 13 days of history before it
    assert spikes(points=early, since=DAY, factor=5, least=50) == []


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


def test_first_week_against_the_median_of_peers_whose_first_week_is_over():
    today = date(2025, 3, 20)
    result = peers_compare(
        tag="sleep",
        first_day=date(2025, 3, 1),
        first_week_views=90,
        peers=[(date(2025, 2, 1), 10), (date(2025, 2, 2), 30), (date(2025, 3, 18), 999)],
        today=today,
    )
    assert (result.peers, result.peer_median, result.ratio) == (2, 20, 4.5)
    assert result.first_week_complete is True
    young = peers_compare(
        tag="sleep", first_day=date(2025, 3, 17), first_week_views=5, peers=[], today=today
    )
    assert (young.first_week_complete, young.peer_median, young.ratio) == (False, None, None)


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
