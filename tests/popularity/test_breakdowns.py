"""The dashboard's sources, campaigns, devices and countries, and its filters: the
selectors (breakdowns.py, statistics.py) and the pages and CSVs that show them."""

import csv
import importlib
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from popularity.analysis import Period
from popularity.breakdowns import Filters, stats_breakdowns
from popularity.models import SiteDailyOrigin
from popularity.statistics import stats_articles, stats_daily, stats_previous_views, stats_tags
from tests.factories import ArticleFactory, DailyOriginFactory, DailyViewFactory

pytestmark = pytest.mark.django_db

STATS = "/admin/statistics/"


def week() -> Period:
    today = timezone.localdate()
    return Period(start=today - timedelta(days=6), end=today)


@pytest.fixture
def traffic():
    """Two articles. Sleep: 6 Google views on phones (DE), 3 from a newsletter campaign on
    desktops; Calm (tagged calm): 4 Reddit views on desktops, 1 Google on a tablet.
    Plus an old Google row outside the week."""
    today = timezone.localdate()
    sleep = ArticleFactory(title="Sleep", tags=["rest"])
    calm = ArticleFactory(title="Calm", tags=["calm"])
    for article, views, readers in ((sleep, 9, 8), (calm, 5, 5)):
        DailyViewFactory(article=article, day=today, views=views, unique_readers=readers)
    DailyOriginFactory(
        article=sleep,
        source="Google",
        device="mobile",
        browser="Mobile Safari",
        os="iOS",
        country="DE",
        views=6,
        unique_readers=5,
    )
    DailyOriginFactory(
        article=sleep,
        source="weekly-digest",
        medium="email",
        campaign="spring",
        views=3,
        unique_readers=3,
    )
    DailyOriginFactory(article=calm, source="Reddit", browser="Firefox", views=4, unique_readers=4)
    DailyOriginFactory(
        article=calm, source="Google", device="tablet", os="Android", views=1, unique_readers=1
    )
    DailyOriginFactory(article=calm, source="Google", day=today - timedelta(days=20), views=50)
    return sleep, calm


def values(rows):
    return [(row.value, row.views) for row in rows]


def test_every_panel_in_one_query_of_today_once_the_ended_days_are_kept(
    traffic, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the ended days' (then kept), today's
        first = stats_breakdowns(period=week())
    with django_assert_num_queries(1):
        panels = stats_breakdowns(period=week())
    assert panels == first
    assert values(panels["sources"]) == [("Google", 7), ("Reddit", 4), ("weekly-digest", 3)]
    assert panels["sources"][0].unique_readers == 6
    assert round(panels["sources"][0].share, 1) == 50.0
    assert [(r.value, r.source, r.medium) for r in panels["campaigns"]] == [
        ("spring", "weekly-digest", "email")
    ]
    assert values(panels["devices"]) == [("desktop", 7), ("mobile", 6), ("tablet", 1)]
    assert values(panels["browsers"]) == [("Mobile Safari", 6), ("Chrome", 4), ("Firefox", 4)]
    assert values(panels["systems"]) == [("Windows", 7), ("iOS", 6), ("Android", 1)]
    assert values(panels["countries"]) == [("", 8), ("DE", 6)]


def test_a_source_filter_narrows_every_panel_and_the_totals(traffic):
    google = Filters(source="Google")
    panels = stats_breakdowns(period=week(), filters=google)
    assert values(panels["sources"]) == [("Google", 7)]
    assert values(panels["devices"]) == [("mobile", 6), ("tablet", 1)]
    assert panels["campaigns"] == []
    assert sum(p.views for p in stats_daily(period=week(), filters=google)) == 7
    assert [(r.title, r.views) for r in stats_articles(period=week(), filters=google)] == [
        ("Sleep", 6),
        ("Calm", 1),
    ]
    assert [(t.name, t.views) for t in stats_tags(period=week(), filters=google)] == [
        ("rest", 6),
        ("calm", 1),
    ]


def test_device_country_and_tag_filters(traffic):
    assert values(
        stats_breakdowns(period=week(), filters=Filters(device="desktop"))["sources"]
    ) == [
        ("Reddit", 4),
        ("weekly-digest", 3),
    ]
    assert values(stats_breakdowns(period=week(), filters=Filters(country="DE"))["sources"]) == [
        ("Google", 6)
    ]
    # A tag alone reads the daily rows for the totals, the origin rows for the panels.
    calm = Filters(tag="calm")
    assert sum(p.views for p in stats_daily(period=week(), filters=calm)) == 5
    assert values(stats_breakdowns(period=week(), filters=calm)["sources"]) == [
        ("Reddit", 4),
        ("Google", 1),
    ]


def test_one_articles_panels(traffic):
    sleep, _ = traffic
    panels = stats_breakdowns(period=week(), article_id=sleep.pk)
    assert values(panels["sources"]) == [("Google", 6), ("weekly-digest", 3)]


def test_site_wide_figures_read_the_sites_own_rows(traffic, django_assert_num_queries):
    """The site's rows keep the views of an article deleted since; a tag (an article's)
    reads the articles' rows, which go with it."""
    _, calm = traffic
    calm.delete()
    reddit = Filters(source="Reddit")
    with django_assert_num_queries(2):  # the ended days', today's
        panels = stats_breakdowns(period=week())
    assert values(panels["sources"]) == [("Google", 7), ("Reddit", 4), ("weekly-digest", 3)]
    assert sum(p.views for p in stats_daily(period=week(), filters=reddit)) == 4
    assert stats_previous_views(period=week(), filters=reddit) == 0
    assert stats_breakdowns(period=week(), filters=Filters(tag="calm"))["sources"] == []


def test_the_migration_fills_the_sites_rows_from_the_articles_rows(traffic):
    """Origin rows counted before the site's rows existed are summed into them once."""
    backfill = importlib.import_module("popularity.migrations.0006_site_daily_origin").BACKFILL
    SiteDailyOrigin.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(backfill)
    panels = stats_breakdowns(period=week())
    assert values(panels["sources"]) == [("Google", 7), ("Reddit", 4), ("weekly-digest", 3)]
    assert SiteDailyOrigin.objects.get(source="Google", device="desktop").views == 50  # 20 days ago


# --- the pages -------------------------------------------------------------------------


def test_the_dashboard_shows_the_panels_and_a_source_link_filters_it(client, owner, traffic):
    client.force_login(owner)
    page = client.get(STATS + "?range=7")
    html = page.content.decode()
    for title in ("Top sources", "Top campaigns", "Devices", "Browsers", "Operating systems"):
        assert title in html
    link = next(
        item.filter_url
        for panel in page.context["breakdowns"]
        if panel.name == "sources"
        for item in panel.rows
        if item.row.value == "Reddit"
    )
    assert link == "?range=7&source=Reddit"
    narrowed = client.get(STATS + link)
    assert narrowed.context["totals"]["views"] == 4
    assert [r.title for r in narrowed.context["rows"]] == ["Calm"]
    assert "Source: Reddit" in narrowed.content.decode()
    assert narrowed.context["filter_links"][0].remove_url == "?range=7"


def test_a_tag_row_links_to_the_dashboard_narrowed_to_its_tag(client, owner, traffic):
    client.force_login(owner)
    page = client.get(STATS + "?range=7&source=Google")
    links = {tag.row.name: tag.filter_url for tag in page.context["tags"]}
    assert links == {
        "rest": "?range=7&source=Google&tag=rest",
        "calm": "?range=7&source=Google&tag=calm",
    }
    assert 'href="?range=7&amp;source=Google&amp;tag=calm"' in page.content.decode()
    narrowed = client.get(STATS + links["calm"])
    assert narrowed.context["totals"]["views"] == 1  # Calm's one Google view
    assert [r.title for r in narrowed.context["rows"]] == ["Calm"]


def test_choosing_a_period_keeps_the_filters(client, owner, traffic):
    client.force_login(owner)
    html = client.get(STATS + "?range=7&source=Google&tag=calm&page=2").content.decode()
    assert 'href="?range=30&amp;source=Google&amp;tag=calm"' in html
    assert 'href="?range=all&amp;source=Google&amp;tag=calm"' in html
    plain = client.get(STATS + "?range=7").content.decode()
    assert 'href="?range=30"' in plain


@pytest.mark.parametrize(
    "query", ["?device=phone", "?country=Germany", "?tag=not a slug", "?source=" + "x" * 500]
)
def test_a_bad_filter_is_reported_and_ignored(client, owner, traffic, query):
    client.force_login(owner)
    page = client.get(STATS + query)
    assert page.status_code == 200
    assert page.context["filter_form"].errors
    assert page.context["totals"]["views"] == 14  # unfiltered


def test_each_panel_downloads_as_csv_with_the_filters(client, owner, traffic):
    client.force_login(owner)
    response = client.get(STATS + "export/devices.csv?range=7&source=Google")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["device", "views", "unique readers", "share %"],
        ["mobile", "6", "5", "85.7"],
        ["tablet", "1", "1", "14.3"],
    ]
    campaigns = client.get(STATS + "export/campaigns.csv?range=7").content.decode()
    assert "spring,weekly-digest,email,3,3,100.0" in campaigns


def test_a_panel_csv_for_one_article_and_bad_requests(client, owner, traffic):
    sleep, _ = traffic
    client.force_login(owner)
    one = client.get(STATS + f"export/sources.csv?range=7&article={sleep.pk}").content.decode()
    assert "Reddit" not in one and "Google,6,5" in one
    assert client.get(STATS + "export/passwords.csv").status_code == 404
    assert client.get(STATS + "export/sources.csv?article=abc").status_code == 404
    assert client.get(STATS + "export/sources.csv?article=99999999").status_code == 404


def test_a_forged_source_cannot_run_in_a_spreadsheet(client, owner):
    DailyOriginFactory(source="=HYPERLINK(1)", views=2)
    client.force_login(owner)
    body = client.get(STATS + "export/sources.csv").content.decode()
    assert "'=HYPERLINK(1)" in body


def test_the_article_page_has_its_own_panels(client, owner, traffic):
    sleep, _ = traffic
    client.force_login(owner)
    page = client.get(STATS + f"articles/{sleep.pk}/?range=7")
    sources = next(p for p in page.context["breakdowns"] if p.name == "sources")
    assert [item.row.value for item in sources.rows] == ["Google", "weekly-digest"]
    assert f"article={sleep.pk}" in page.content.decode()


def test_right_now_is_json_for_owners_only(client, owner, editor):
    client.force_login(editor)
    assert client.get(STATS + "live.json").status_code == 403
    client.force_login(owner)
    data = client.get(STATS + "live.json").json()
    assert data == {"readers_5": 0, "readers_30": 0, "articles": [], "sources": []}
