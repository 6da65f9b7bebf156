"""The owners' statistics pages in a real browser: usable on a phone, accessible, both themes.

Every statistics page that renders HTML (the dashboard in each period, with custom dates,
with a form error and on its second page; an article's page, published, scheduled and
draft; the CSV download is no page) is scanned by axe-core in light and dark (no serious
or critical finding) and must not scroll sideways at 375 px. On a phone the chart's labels
are at least 11 px as drawn, and apart; the article, refresh and least-read tables are a
card per row, no word broken over two lines.
Screenshots of the dashboard and an article at 375 and 1,280 px, light and dark, go to
test-artifacts/ for a person to look at.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from popularity.models import DailyAgentView, DailyPath, DailyView, EngagedTimeDay
from tests.browser.axe import axe_required, serious_violations
from tests.browser.words import broken_words
from tests.factories import ArticleFactory, read_depth_reported

pytestmark = pytest.mark.django_db(transaction=True)

STATS = "/admin/statistics/"
DAYS = 100  # of counted views
BOT = "python-requests/2.31"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/127.0"

# The size each chart label is drawn at on the screen: its CSS size times any scaling of
# the SVG it is in (a viewBox drawn smaller than its own units shrinks its text too).
LABEL_SIZES = """() => [...document.querySelectorAll(".stats-chart text")].map(text => ({
  label: text.textContent,
  size: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
}))"""
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def readership(rank: int, age: int, published: int) -> int:
    """A day's views of the rank-th article `age` days ago: a long tail, a weekly rhythm,
    a launch bump in its first days."""
    base = 400 // (rank + 1) + 3
    weekend = ago(age).weekday() >= 5
    launch = max(0, 6 - (published - age)) * base // 2
    return (base * 7 // 10 if weekend else base) + launch + (age * 7 + rank) % 5


@pytest.fixture
def site_with_readers(settings):
    """55 articles read over 100 days (a second page of the table); one with a bot burst,
    read-depth reports, reading paths and peers; a scheduled article and a draft; a refresh
    candidate."""
    axe_required()
    settings.POPULARITY_SPIKE_FACTOR = 5
    settings.POPULARITY_SPIKE_MIN_VIEWS = 50
    now = timezone.now()
    tags = ["stress", "sleep", "breathing", "kindness", "self-care"]
    articles = []
    for rank in range(55):
        published = 10 + rank * 2 if rank % 3 == 2 else DAYS + 20  # a third are new
        articles.append(
            ArticleFactory(
                title=f"Article {rank + 1}: a calm and quite long title to wrap on a phone",
                published_at=now - timedelta(days=published),
                author=None,
                tags=[tags[rank % 5], tags[(rank + 2) % 5]],
            )
        )
    rows = []
    # One "today" for every row: a run that passes midnight would otherwise write a day twice.
    today = timezone.localdate()
    for rank, article in enumerate(articles):
        published = (today - timezone.localdate(article.published_at)).days
        for age in range(min(DAYS, published + 1)):
            views = readership(rank, age, published)
            day = today - timedelta(days=age)
            rows.append(
                DailyView(article=article, day=day, views=views, unique_readers=views * 3 // 4)
            )
    DailyView.objects.bulk_create(rows)
    lead = articles[0]
    DailyView.objects.filter(article=lead, day=ago(4)).update(views=4_000, unique_readers=900)
    DailyAgentView.objects.bulk_create(
        [
            DailyAgentView(article=lead, day=ago(4), agent=BOT, views=3_000),
            DailyAgentView(article=lead, day=ago(4), agent=BROWSER, views=1_000),
        ]
    )
    read_depth_reported(
        article=lead,
        day=ago(1),
        headings=["Why it happens", "What helps", "When to see a doctor"],
        readers=40,
        completions=12,
    )
    EngagedTimeDay.objects.bulk_create(
        EngagedTimeDay(article=lead, day=ago(1), bucket=bucket, readers=readers)
        for bucket, readers in {2: 5, 6: 12, 9: 15, 14: 8}.items()
    )
    # Its words last changed long ago: a refresh candidate.
    type(lead).objects.filter(pk=lead.pk).update(
        updated_at=now - timedelta(days=800), substantive_change_at=now - timedelta(days=800)
    )
    # Reading paths: readers came to the lead from three articles and went on to two.
    DailyPath.objects.bulk_create(
        [
            DailyPath(from_article=a, to_article=lead, day=ago(1), readers=9 - n)
            for n, a in enumerate(articles[1:4])
        ]
        + [DailyPath(from_article=lead, to_article=a, day=ago(2), readers=5) for a in articles[4:6]]
    )
    scheduled = ArticleFactory(title="Coming next week", scheduled=True, tags=["sleep"])
    draft = ArticleFactory(title="Still a draft", draft=True, tags=["sleep"])
    return {"lead": lead, "scheduled": scheduled, "draft": draft}


@pytest.fixture
def owner_page(new_page, live_server, owner):
    """A page signed in as a site owner (the session cookie of Django's test client)."""
    client = Client()
    client.force_login(owner)
    session = client.cookies["sessionid"].value

    def open_page(width: int, scheme: str):
        page = new_page(width=width, height=860)
        page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page.emulate_media(color_scheme=scheme)
        return page

    return open_page


def statistics_pages(site) -> dict[str, str]:
    article = f"{STATS}articles/{site['lead'].pk}/"
    return {
        "dashboard-7": f"{STATS}?range=7",
        "dashboard-30": STATS,
        "dashboard-90": f"{STATS}?range=90",
        "dashboard-all": f"{STATS}?range=all",
        "dashboard-dates": f"{STATS}?start={ago(20)}&end={ago(6)}",
        "dashboard-error": f"{STATS}?start={ago(2)}&end={ago(9)}",
        "dashboard-page-2": f"{STATS}?range=90&page=2",
        "article-30": article,
        "article-7": f"{article}?range=7",
        "article-all": f"{article}?range=all",
        "scheduled": f"{STATS}articles/{site['scheduled'].pk}/",
        "draft": f"{STATS}articles/{site['draft'].pk}/",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_statistics_page_passes_axe(owner_page, site_with_readers, scheme, console_errors):
    page = owner_page(1280, scheme)
    for name, url in statistics_pages(site_with_readers).items():
        response = page.goto(url)
        assert response.status == 200, name
        serious = serious_violations(page)
        assert serious == [], f"{name}, {scheme}: {serious}"
        if name == "article-30":  # what is scanned is the page with everything on it
            assert "Likely a bot burst" in page.locator(".stats-spikes").text_content()
            assert page.locator(".stats-funnel__step").count() == 3
            assert page.locator(".stats-peers").is_visible()
            assert "-minute read" in page.locator("#engagement").text_content()
        if name == "dashboard-30":
            assert page.locator("#least-read-table tbody tr").count() > 0
        if name == "dashboard-90":
            assert page.locator("#article-table tbody tr").count() == 50
            assert page.get_by_role("link", name="Next").is_visible()
    assert console_errors == []


def chart_labels_check(page, name: str) -> None:
    """At least 11 px as drawn, the day labels apart and on the screen, dots round."""
    sizes = page.evaluate(LABEL_SIZES)
    assert len(sizes) >= 5 + 4, name  # five values, at least four days
    small = [label for label in sizes if label["size"] < 11]
    assert small == [], f"{name}: labels under 11 px at 375 px: {small}"
    boxes = [text.bounding_box() for text in page.locator(".chart-axis--x text").all()]
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left["x"] + left["width"] <= right["x"], f"{name}: two day labels overlap"
    figure = page.locator(".stats-chart").bounding_box()
    right = figure["x"] + figure["width"]
    assert figure["x"] <= boxes[0]["x"] and boxes[-1]["x"] + boxes[-1]["width"] <= right, name
    # The plot fills the width it has; its dots stay round however it is stretched.
    plot = page.locator(".chart-plot").bounding_box()
    assert plot["width"] >= 375 - 100 and plot["height"] >= 150, name
    dot = page.locator(".chart-views .chart-dot").first.bounding_box()
    assert abs(dot["width"] - dot["height"]) < 1, name


def reflow_check(page, table: str, label: str) -> None:
    """One card per row: the title across, each figure under its column's name (`label`
    one of them), the reasons across too, no word broken over two lines."""
    rows = page.locator(f"#{table} tbody tr")
    assert rows.count() > 0, table
    first = rows.first
    for cell in first.locator("td").all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= 375, table
    shown = first.locator(f'td[data-label="{label}"]').evaluate(
        "td => getComputedStyle(td, '::before').content"
    )
    assert shown == f'"{label}"', table
    lead = first.locator(".stats-reflow__lead").bounding_box()
    assert lead["width"] > 250, table
    for wide in first.locator(".stats-reflow__wide").all():
        assert wide.bounding_box()["width"] >= lead["width"] - 1, f"{table}: the reasons squeezed"
    assert page.locator(f"#{table} thead").bounding_box()["height"] <= 1, table
    assert broken_words(page, f"#{table} td") == [], table


def test_every_statistics_page_fits_a_phone(
    owner_page, site_with_readers, console_errors, screenshot
):
    for scheme in ("dark", "light"):
        page = owner_page(375, scheme)
        for name, url in statistics_pages(site_with_readers).items():
            page.goto(url)
            overflow = page.evaluate(OVERFLOW)
            assert overflow <= 0, f"{name} at 375px scrolls sideways by {overflow}px"
            if name in ("dashboard-30", "dashboard-7", "article-30"):
                chart_labels_check(page, name)
            if name == "dashboard-30":
                reflow_check(page, "article-table", "Views")
                reflow_check(page, "refresh-table", "Last updated")
                reflow_check(page, "least-read-table", "Readers a day")
            if name in ("dashboard-30", "article-30"):  # the reflowed table, the funnel
                serious = serious_violations(page)
                assert serious == [], f"{name} at 375px, {scheme}: {serious}"
                page.locator(".stats-daily summary").click()  # the daily numbers, opened
                screenshot(page, f"statistics-{name}-375-{scheme}")
    assert console_errors == []


def test_on_a_desktop_the_table_stays_a_table(owner_page, site_with_readers, screenshot):
    for scheme in ("light", "dark"):
        page = owner_page(1280, scheme)
        page.goto(f"{STATS}?range=30")
        assert page.locator("#article-table thead").bounding_box()["height"] > 10
        row = page.locator("#article-table tbody tr").first.bounding_box()
        assert row["height"] < 60, "one line per article (two for a long title)"
        for table in ("refresh-table", "least-read-table"):
            assert page.locator(f"#{table} thead").bounding_box()["height"] > 10, table
            assert broken_words(page, f"#{table} td") == [], table
        screenshot(page, f"statistics-dashboard-30-1280-{scheme}")
        page.goto(f"{STATS}articles/{site_with_readers['lead'].pk}/")
        page.locator(".stats-daily summary").click()
        screenshot(page, f"statistics-article-30-1280-{scheme}")
