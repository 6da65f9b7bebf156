"""A very successful article must not take the site down: counts far past 32 bits.

One article gets 10 million views in a day and a billion of all time, beside articles
with ordinary traffic; every public page (with each Popular Posts window in the sidebar)
and every page of the owners' dashboard answers 200, with that article first and its
figures shown as they are.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from popularity.analysis import Period
from popularity.article_statistics import peer_comparison
from popularity.models import ArticleTotal, ReadDepthDay, SectionReach
from popularity.rankings import Window, popular_url, ranking
from popularity.read_depth import read_depth_summary
from popularity.statistics import (
    first_counted_day,
    refresh_candidates,
    stats_articles,
    stats_daily,
    stats_previous_views,
    stats_tags,
)
from popularity.totals import article_view_totals
from tests.factories import (
    ArticleFactory,
    DailyAgentViewFactory,
    DailyViewFactory,
    UserFactory,
    read_depth_reported,
)

pytestmark = pytest.mark.django_db

VIRAL_TODAY = 10_000_000
VIRAL_ALL_TIME = 1_000_000_000
PAST_32_BITS = 3_000_000_000  # more than a 4-byte integer holds (2,147,483,647)
BOT = "curl/8.5.0"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/127.0"
STATS = "/admin/statistics/"


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def daily(article, rows):
    """rows: [(days ago, views, readers), …] → DailyView rows (and the all-time total)."""
    for age, views, readers in rows:
        DailyViewFactory(article=article, day=ago(age), views=views, unique_readers=readers)


@pytest.fixture
def traffic():
    """Three articles tagged "calm": Viral (10M views today, 1 billion of all time), Steady
    (5,000 a day for 40 days) and Quiet (40 a day). Viral also has read-depth reports,
    per-browser counts and sections; Steady, published two years ago and never updated, is due
    a refresh (Viral, three days old, is not, however much it is read)."""
    now = timezone.now()
    viral = ArticleFactory(title="Viral", tags=["calm"], published_at=now - timedelta(days=3))
    steady = ArticleFactory(title="Steady", tags=["calm"], published_at=now - timedelta(days=40))
    quiet = ArticleFactory(title="Quiet", tags=["calm"], published_at=now - timedelta(days=40))
    daily(viral, [(3, 2_000, 1_800), (2, 2_500, 2_200), (1, 3_000, 2_700)])
    daily(viral, [(0, VIRAL_TODAY, 8_000_000)])
    ArticleTotal.objects.filter(article=viral).update(views=VIRAL_ALL_TIME)
    daily(steady, [(age, 5_000, 4_000) for age in range(40)])
    daily(quiet, [(age, 40, 35) for age in range(40)])
    DailyAgentViewFactory(article=viral, day=ago(0), agent=BOT, views=6_000_000)
    DailyAgentViewFactory(article=viral, day=ago(0), agent=BROWSER, views=4_000_000)
    read_depth_reported(
        article=viral,
        day=ago(0),
        headings=["Why it spreads", "What to do"],
        readers=6_000_000,
        completions=2_500_000,
    )
    Article.objects.filter(pk=steady.pk).update(published_at=now - timedelta(days=730))
    return viral, steady, quiet


def in_order(html: str, *titles: str) -> bool:
    places = [html.find(f">{title}</a>") for title in titles]
    return -1 not in places and places == sorted(places)


def sidebar(html: str) -> str:
    return html[html.index('id="popular-heading"') :]


@pytest.mark.parametrize("widget_window", ["7d", "trending", "24h"])
def test_every_public_page_answers_with_the_viral_article_first(
    client, settings, traffic, widget_window
):
    settings.POPULARITY_WIDGET_WINDOW = widget_window
    viral, steady, quiet = traffic

    for path in ("/", viral.get_absolute_url(), steady.get_absolute_url()):
        response = client.get(path)
        assert response.status_code == 200, path
        # After an article, every ranked article but those the page already shows (the
        # article itself, previous and next, related).
        html = response.content.decode()
        widget, before = sidebar(html), html[: html.index('id="popular-heading"')]
        on_page = {
            a.title
            for a in (viral, steady, quiet)
            if path != "/"
            and (a.get_absolute_url() == path or f'href="{a.get_absolute_url()}"' in before)
        }
        shown = [a.title for a in (viral, steady, quiet) if a.title not in on_page]
        hidden = list(on_page)
        assert in_order(widget, *shown), path
        assert all(f">{title}</a>" not in widget for title in hidden), path

    for path in (
        "/tags/",
        "/tags/calm/",
        "/tags/calm/feed/",
        "/tags/calm/feed/atom/",
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        "/search/?q=calm",
    ):
        assert client.get(path).status_code == 200, path

    popular = client.get(reverse("popularity:popular"))
    assert popular.status_code == 200
    assert in_order(popular.content.decode(), "Viral", "Steady", "Quiet")
    shown = {
        Window.TRENDING: None,
        Window.DAY: None,  # checked below: an estimate
        Window.WEEK: f"{VIRAL_TODAY + 7_500:,} views",
        Window.MONTH: f"{VIRAL_TODAY + 7_500:,} views",
        Window.ALL: f"{VIRAL_ALL_TIME:,} views",
    }
    for window, figure in shown.items():
        response = client.get(popular_url(window))
        html = response.content.decode()
        assert response.status_code == 200, window
        assert in_order(html, "Viral", "Steady", "Quiet"), window
        if window == Window.DAY:
            # 10,000,000 today and up to all 3,000 of yesterday's, in whole views.
            views = int(re.search(r"about ([\d,]+) views", html)[1].replace(",", ""))
            assert VIRAL_TODAY <= views <= VIRAL_TODAY + 3_000
        if figure:
            assert figure in html, window


def test_every_dashboard_page_answers_with_the_right_figures(client, owner, traffic):
    viral, steady, quiet = traffic
    client.force_login(owner)
    for preset in ("7", "30", "90", "all"):
        days = {"7": 7, "30": 30, "90": 40, "all": 40}[preset]  # rows go back 40 days
        total = VIRAL_TODAY + 7_500 + days * (5_000 + 40)
        response = client.get(f"{STATS}?range={preset}")
        html = response.content.decode()
        assert response.status_code == 200, preset
        assert re.search(rf'data-total="views">{total:,}<', html), preset
        assert in_order(html, "Viral", "Steady", "Quiet"), preset

        rows = list(
            csv.reader(
                io.StringIO(client.get(f"{STATS}export.csv?range={preset}").content.decode())
            )
        )
        assert [row[1] for row in rows[1:]] == ["Viral", "Steady", "Quiet"], preset
        assert rows[1][3] == str(VIRAL_TODAY + 7_500), preset
        assert rows[1][8] == "42", preset  # 2.5M of 6M readers reached the end

        article = client.get(f"{STATS}articles/{viral.pk}/?range={preset}")
        page = article.content.decode()
        assert article.status_code == 200, preset
        assert re.search(rf'data-total="views">{VIRAL_TODAY + 7_500:,}<', page), preset
        assert f"{VIRAL_TODAY:,} views" in page  # today's spike
        assert "60% from one browser" in page and "Likely a bot burst" in page
        assert f"{VIRAL_TODAY + 7_500:,} views</strong>" in page  # its first seven days
        assert "<dd>6,000,000</dd>" in page  # readers who reported how far they read

    # The refresh candidates: Steady alone, with its last 30 days.
    html = client.get(STATS).content.decode()
    refresh = html[html.index('id="refresh-table"') :].split("</table>")[0]
    assert "Steady" in refresh and "Viral" not in refresh
    assert ">150,000</td>" in refresh  # its views, last 30 days


def test_editors_change_list_shows_the_view_totals(client, editor, traffic):
    client.force_login(editor)
    response = client.get("/admin/articles/article/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{VIRAL_ALL_TIME:,}" in html and f"{VIRAL_TODAY + 7_500:,}" in html


def test_counts_past_32_bits_are_kept_ranked_and_shown(client, settings):
    """Daily rows, per-browser counts and read-depth counts hold more than 2,147,483,647."""
    settings.POPULARITY_WIDGET_WINDOW = "trending"
    big = ArticleFactory(title="Enormous", tags=["calm"])
    daily(big, [(0, PAST_32_BITS, PAST_32_BITS)])
    DailyAgentViewFactory(article=big, day=ago(0), agent=BOT, views=PAST_32_BITS)
    ReadDepthDay.objects.create(
        article=big, day=ago(0), readers=PAST_32_BITS, completions=PAST_32_BITS
    )
    SectionReach.objects.create(
        article=big, day=ago(0), position=1, anchor="a", heading="A", readers=PAST_32_BITS
    )
    small = ArticleFactory(title="Small", tags=["calm"])
    daily(small, [(0, 10, 10)])

    for window in Window.values:
        response = client.get(popular_url(window))
        assert response.status_code == 200, window
        assert in_order(response.content.decode(), "Enormous", "Small"), window
    assert f"{PAST_32_BITS:,} views" in client.get("/popular/7d/").content.decode()
    assert client.get(big.get_absolute_url()).status_code == 200

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"{STATS}articles/{big.pk}/?range=7").content.decode()
    assert re.search(rf'data-total="views">{PAST_32_BITS:,}<', page)
    rows = list(csv.reader(io.StringIO(client.get(f"{STATS}export.csv").content.decode())))
    assert rows[1][1:5] == ["Enormous", big.slug, str(PAST_32_BITS), str(PAST_32_BITS)]


def test_figures_from_64_bit_sums_are_plain_ints(traffic):
    """PostgreSQL sums bigints into `numeric`, which raw SQL hands over as a Decimal: every
    figure must stay an int, so pages, the CSV and JSON print whole numbers alike."""
    viral, _, _ = traffic
    period = Period(start=ago(29), end=ago(0))
    figures = [
        *(row.views for window in Window for row in ranking(window=window) if row.views),
        *(
            value
            for row in stats_articles(period=period)
            for value in (row.views, row.unique_readers, row.previous_views)
        ),
        *(tag.views for tag in stats_tags(period=period)),
        *(
            value
            for point in stats_daily(period=period)
            for value in (point.views, point.unique_readers)
        ),
        stats_previous_views(period=period),
        peer_comparison(article=viral, counted_since=first_counted_day()).first_week_views,
        *(item.views for item in refresh_candidates()),
        *article_view_totals(article_ids=[viral.pk])[viral.pk],
        read_depth_summary(period=period, article_id=viral.pk, current_sections=[]).readers,
    ]
    assert VIRAL_TODAY + 7_500 in figures and VIRAL_ALL_TIME in figures
    assert {type(value) for value in figures} == {int}
