"""The Popular Posts widget, the /popular/ page and the owners' statistics pages."""

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, DailyViewFactory

pytestmark = pytest.mark.django_db


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def read_articles(*spec):
    """(title, [(days ago, views, readers), …]) → the articles."""
    articles = []
    for title, days in spec:
        article = ArticleFactory(title=title, tags=["calm"])
        for age, views, readers in days:
            DailyViewFactory(article=article, day=ago(age), views=views, unique_readers=readers)
        articles.append(article)
    return articles


# --- Popular Posts widget and /popular/ ------------------------------------------------


def test_widget_lists_the_weeks_most_read_articles(client):
    read_articles(("Less read", [(1, 3, 3)]), ("Most read", [(2, 9, 8)]), ("Old", [(30, 99, 9)]))
    html = client.get("/").content.decode()
    widget = html[html.index('id="popular-heading"') :]
    assert widget.index("Most read") < widget.index("Less read")
    assert "Old" not in widget


def test_widget_costs_one_query_when_cold_and_none_when_warm(client, django_assert_num_queries):
    (article,) = read_articles(("Read", [(1, 3, 3)]))
    # article page, cold: 8 (byline 1, sources 1), and every tag's count of articles (once a
    # listed version, for every page); ranking: 1
    with django_assert_num_queries(10):
        client.get(article.get_absolute_url())
    with django_assert_num_queries(0):  # the article page is kept whole; the widget too
        client.get(article.get_absolute_url())


def test_popular_page_has_a_tab_per_window(client):
    read_articles(("Evergreen", [(200, 500, 400)]), ("This week", [(1, 5, 5)]))
    response = client.get(reverse("popularity:popular_window", kwargs={"window": "all"}))
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Trending", "Last 24 hours", "Last 7 days", "Last 30 days", "All time"):
        assert f">{label}</a>" in html
    assert re.search(r'href="/popular/all/" aria-current="page">All time<', html)
    assert html.index("Evergreen") < html.index("This week")
    assert "500 views" in html

    week = client.get(reverse("popularity:popular_window", kwargs={"window": "7d"}))
    assert "This week" in week.content.decode() and "Evergreen" not in week.content.decode()


def test_popular_page_defaults_to_trending(client):
    read_articles(("Rising", [(0, 5, 5)]))
    html = client.get(reverse("popularity:popular")).content.decode()
    assert 'aria-current="page">Trending<' in html and "Rising" in html


def test_unknown_window_is_404(client):
    assert client.get("/popular/forever/").status_code == 404


def test_popular_page_query_count(client, django_assert_num_queries):
    read_articles(*[(f"Read {n}", [(1, n + 1, 1)]) for n in range(6)])
    # the ranking, and the next scheduled article (once per content version)
    with django_assert_num_queries(2):
        client.get(reverse("popularity:popular_window", kwargs={"window": "30d"}))
    with django_assert_num_queries(0):
        client.get(reverse("popularity:popular_window", kwargs={"window": "30d"}))


def test_popular_page_without_views_says_so(client):
    ArticleFactory()
    html = client.get(reverse("popularity:popular")).content.decode()
    assert "No article has been read in this period yet." in html


# --- The statistics dashboard: who may see it -----------------------------------------


STATS = "/admin/statistics/"


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    for path in (STATS, STATS + "export.csv", STATS + "articles/1/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_editors_without_the_permission_are_refused(client, editor):
    client.force_login(editor)
    for path in (STATS, STATS + "export.csv"):
        assert client.get(path).status_code == 403
    assert "Site statistics" not in client.get("/admin/").content.decode()


def test_owner_sees_the_dashboard_and_the_admin_link(client, owner):
    client.force_login(owner)
    assert 'href="/admin/statistics/"' in client.get("/admin/").content.decode()
    response = client.get(STATS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Site statistics" in html and "No article was read in this period." in html


# --- The statistics dashboard: what it shows --------------------------------------------


class TableReader(HTMLParser):
    """Cell texts of the table with the given id."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table(html, table_id):
    reader = TableReader(table_id)
    reader.feed(html)
    return reader.rows


@pytest.fixture
def month(owner):
    """Three articles read over the last 30 days and the 30 days before, on a site that
    counts views since 60 days ago (the first day the 30 days before begin)."""
    return read_articles(
        ("Sleep", [(0, 40, 30), (5, 20, 15), (40, 30, 30)]),
        ("=Breath", [(2, 30, 25), (31, 60, 50)]),
        ("Kindness", [(10, 10, 10)]),
        ("Archive", [(59, 1, 1)]),
    )


def test_dashboard_totals_table_and_tags(client, owner, month):
    client.force_login(owner)
    html = client.get(STATS + "?range=30").content.decode()
    assert re.search(r'data-total="views">100<', html)
    assert re.search(r'data-total="unique_readers">80<', html)
    assert table(html, "article-table")[1:] == [
        ["1", "Sleep", "60", "45", "—", "0%", "60.0%", "30", "+100.0%"],
        ["2", "=Breath", "30", "25", "—", "0%", "30.0%", "60", "-50.0%"],
        ["3", "Kindness", "10", "10", "—", "0%", "10.0%", "0", "new"],
    ]
    assert table(html, "tag-table")[1:] == [["calm", "100", "3", "—", "1 min", "—", "—"]]


def test_csv_export_matches_the_table(client, owner, month):
    client.force_login(owner)
    for query in ("?range=7", "?range=30", "?range=90", "?range=all"):
        html = client.get(STATS + query).content.decode()
        response = client.get(STATS + "export.csv" + query)
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        shown = table(html, "article-table")[1:]
        assert len(rows) - 1 == len(shown) > 0, query
        for csv_row, html_row in zip(rows[1:], shown, strict=True):
            rank, title, _slug, views, readers, share, previous, change, completion, onward = (
                csv_row
            )
            # A title that a spreadsheet would run as a formula is quoted in the CSV.
            assert [rank, title.removeprefix("'"), views, readers] == html_row[:4]
            assert (f"{completion}%" if completion else "—") == html_row[4]
            assert (f"{onward}%" if onward else "—") == html_row[5]
            assert f"{share}%" == html_row[6]
            assert (previous or "—") == html_row[7]
            assert html_row[8] in (f"{change}%", "new", "—")


def test_a_long_table_is_paged_and_the_csv_has_every_page(client, owner):
    read_articles(*[(f"Article {n:02}", [(1, 100 - n, 1)]) for n in range(55)])
    client.force_login(owner)
    first = client.get(STATS + "?range=7").content.decode()
    second = client.get(STATS + "?range=7&page=2").content.decode()
    shown = table(first, "article-table")[1:] + table(second, "article-table")[1:]
    assert "Articles 1–50 of 55" in first and 'href="?range=7&amp;page=2"' in first
    assert len(shown) == 55
    rows = list(csv.reader(io.StringIO(client.get(STATS + "export.csv?range=7").content.decode())))
    assert [row[:2] for row in rows[1:]] == [row[:2] for row in shown]
    assert client.get(STATS + "?range=7&page=abc").status_code == 200  # a bad page: the first


def test_chart_and_daily_table_agree_with_the_totals(client, owner, month):
    client.force_login(owner)
    html = client.get(STATS + "?range=7").content.decode()
    daily = table(html, "")  # the daily table has no id: read it by its data rows
    days = re.findall(r'<tr data-day="([\d-]+)"><td>.*?</td><td class="num">(\d+)</td>', html)
    assert len(days) == 7
    assert sum(int(views) for _, views in days) == 90  # 40 + 20 + 30
    assert re.search(r'data-total="views">90<', html)
    # Each chart point carries the same figure in its tooltip.
    assert f"{ago(0):%-d %b %Y}: 40 views" in html
    assert f"{ago(0):%-d %b %Y}: 30 unique readers" in html
    assert html.count("<polyline") == 2 and daily == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=2025-13-45&end=2025-01-10", "Enter a valid date."),
        ("?start=2025-02-10&end=2025-01-10", "The start date must be on or before the end date."),
        ("?start=2025-01-10", "Give both a start and an end date."),
        ("?range=12", "Select a valid choice."),
    ],
)
def test_bad_dates_get_a_form_error_not_a_crash(client, owner, query, message):
    client.force_login(owner)
    response = client.get(STATS + query)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_future_end_date_is_refused(client, owner):
    client.force_login(owner)
    tomorrow = ago(-1).isoformat()
    response = client.get(STATS + f"?start={ago(3).isoformat()}&end={tomorrow}")
    assert "The end date cannot be in the future." in response.content.decode()


EARLY = {"start": "0001-01-01", "end": "0001-01-05"}
FAR = {"start": "9999-12-31", "end": "9999-12-31"}


@pytest.mark.parametrize("dates", [EARLY, {"start": "0001-01-01", "end": "0001-01-02"}, FAR])
def test_dates_at_either_end_of_the_calendar_get_a_form_error(client, owner, month, dates):
    """Year 1 took the comparison and the chart's history before the first date there is
    (a 500); such dates are refused, on the site's page and on an article's."""
    client.force_login(owner)
    article = month[0]
    for url in (STATS, reverse("statistics:article", args=[article.pk])):
        response = client.get(url, dates)
        html = response.content.decode()
        assert response.status_code == 200
        if dates is FAR:
            assert "The end date cannot be in the future." in html
        else:
            assert "That date is too early: choose one from 1 January 2000 on." in html
        assert 'min="2000-01-01"' in html


@pytest.mark.parametrize(
    "name", ["export", "export_least_read", "export_searches", "export_paths", "export_panel"]
)
@pytest.mark.parametrize("dates", [EARLY, FAR])
def test_a_csv_with_dates_out_of_range_is_refused_saying_why(client, owner, month, name, dates):
    client.force_login(owner)
    args = ["sources"] if name == "export_panel" else []
    for extra in ({}, {"article": month[0].pk}):
        if name == "export" and extra:
            continue
        response = client.get(reverse(f"statistics:{name}", args=args), {**dates, **extra})
        assert response.status_code == 400
        assert ("too early" if dates is EARLY else "in the future") in response.content.decode()


def test_custom_dates_choose_the_period(client, owner, month):
    client.force_login(owner)
    start, end = ago(31).isoformat(), ago(31).isoformat()
    html = client.get(STATS + f"?start={start}&end={end}").content.decode()
    assert table(html, "article-table")[1:] == [
        ["1", "=Breath", "60", "50", "—", "0%", "100.0%", "0", "new"]
    ]


def test_all_time_starts_at_the_first_counted_day(client, owner, month):
    client.force_login(owner)
    html = client.get(STATS + "?range=all").content.decode()
    assert "(60 days)" in html
    assert re.search(r'data-total="views">191<', html)


def test_article_drill_down_has_its_own_chart(client, owner, month):
    client.force_login(owner)
    sleep = month[0]
    response = client.get(reverse("statistics:article", kwargs={"article_id": sleep.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Statistics: Sleep" in html
    assert re.search(r'data-total="views">60<', html)
    assert f"{ago(5):%-d %b %Y}: 20 views" in html
    assert client.get(STATS + "articles/999999/").status_code == 404


def test_dashboard_query_count_does_not_grow_with_articles(
    client, owner, month, django_assert_num_queries
):
    client.force_login(owner)
    client.get(STATS)  # warm the session, and keep the ended days' sums (closed_days.py)
    # session, user, user and group permissions; the first counted day; daily series,
    # the ranking (today's rows: the ended days' sums and the previous total are kept), the
    # page's articles (with previous period and completion rates), tags, every origin panel
    # (today's), right now's readers and sources (no reader: no titles), refresh candidates
    # (the much-read stale ones, the health articles needing a medical review), the owners'
    # notes on the days, the articles published on them (the chart's markers; the previous
    # period's line comes with the daily series), the content gaps; the tags' engaged time
    # and completion; the least read; the top reading paths with their titles
    with django_assert_num_queries(20):
        client.get(STATS + "?range=30")
    read_articles(*[(f"More {n}", [(n, 1, 1)]) for n in range(10)])
    with django_assert_num_queries(20):
        client.get(STATS + "?range=30")


def test_a_revalidating_browser_gets_new_popular_posts_once_rankings_can_move(client, monkeypatch):
    import popularity.rankings as rankings

    (article,) = read_articles(("Read", [(1, 3, 3)]))
    first = client.get("/")
    etag = first["ETag"]
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Five minutes on, the rankings may have been recomputed: the old copy is not current.
    later = rankings.time.time() + 301
    monkeypatch.setattr(rankings.time, "time", lambda: later)
    again = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


def test_popular_posts_move_as_soon_as_the_next_period_begins(client, monkeypatch, settings):
    import popularity.rankings as rankings

    period = settings.POPULARITY_RANKING_CACHE_SECONDS
    now = (rankings.time.time() // period + 1) * period - 5  # five seconds before a period ends
    monkeypatch.setattr(rankings.time, "time", lambda: now)
    quiet, rising = read_articles(("Quiet", [(1, 3, 3)]), ("Rising", [(1, 1, 1)]))
    assert _popular_titles(client.get("/")) == ["Quiet", "Rising"]
    DailyViewFactory(article=rising, day=timezone.localdate(), views=50, unique_readers=50)
    # Seconds later a new period begins: the page is rendered again, and the ranking with it.
    monkeypatch.setattr(rankings.time, "time", lambda: now + 10)
    assert _popular_titles(client.get("/")) == ["Rising", "Quiet"]


def test_a_new_rankings_period_renders_only_popular_posts_beside_an_article(
    client, monkeypatch, settings, django_assert_num_queries
):
    """Every article page is rendered again each rankings period (Popular Posts may have
    moved): the article, its end and what it leaves out of Popular Posts are kept, so the
    new page costs the article's row and the new ranking, and shows the new ranking."""
    import popularity.rankings as rankings

    settings.POPULARITY_WIDGET_SIZE = 3
    period = settings.POPULARITY_RANKING_CACHE_SECONDS
    now = (rankings.time.time() // period + 1) * period - 5
    monkeypatch.setattr(rankings.time, "time", lambda: now)
    articles = read_articles(*((f"Read {n}", [(1, 100 - n, 10)]) for n in range(9)))
    reading = articles[4]
    first = client.get(reading.get_absolute_url()).content.decode()
    # The least read of those not shown beside it, until now.
    end = first[: first.index('id="popular-heading"')]
    late = [a for a in articles if a != reading and f'href="{a.get_absolute_url()}"' not in end][-1]
    DailyViewFactory(article=late, day=timezone.localdate(), views=500, unique_readers=500)
    monkeypatch.setattr(rankings.time, "time", lambda: now + 10)
    with django_assert_num_queries(2):  # the article; the new period's ranking
        again = client.get(reading.get_absolute_url()).content.decode()
    before = again[: again.index('id="popular-heading"')]
    assert before == first[: first.index('id="popular-heading"')]
    # Still never an article the page shows (neither the one being read, nor its end).
    shown = {
        a.title for a in articles if a == reading or f'href="{a.get_absolute_url()}"' in before
    }
    assert len(shown) >= 3
    assert widget_titles(again)[0] == late.title
    assert not shown & set(widget_titles(again))
    assert widget_titles(again) != widget_titles(first)


def _popular_titles(response) -> list[str]:
    html = response.content.decode()
    widget = html[html.index('id="popular-heading"') :]
    return re.findall(r'<a href="/articles/[^"]+/">([^<]+)</a>', widget[: widget.index("</ol>")])


def test_pages_without_popular_posts_stay_kept_when_the_rankings_period_moves(client, monkeypatch):
    """Only the pages that show a ranking carry its period: a topic page, the feeds and
    the sitemap (10,000 addresses to render) are not rendered again every five minutes."""
    import popularity.rankings as rankings

    read_articles(("Read", [(1, 3, 3)]))
    paths = ["/tags/", "/feed/", "/sitemap.xml", "/search/?q=read"]
    before = {path: client.get(path)["ETag"] for path in paths}
    home = client.get("/")["ETag"]
    later = rankings.time.time() + 301
    monkeypatch.setattr(rankings.time, "time", lambda: later)
    assert {path: client.get(path)["ETag"] for path in paths} == before
    assert client.get("/")["ETag"] != home


# --- Issue 18: what readers trip over on the rankings ------------------------------------


def widget_titles(html: str) -> list[str]:
    widget = html[html.index('id="popular-heading"') :]
    widget = widget[: widget.index("</section>")]
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', widget)


def test_popular_posts_beside_an_article_never_list_that_article(client, settings):
    settings.POPULARITY_WIDGET_SIZE = 3
    top, second, third, fourth = read_articles(
        ("Top", [(1, 40, 30)]),
        ("Second", [(1, 30, 20)]),
        ("Third", [(1, 20, 10)]),
        ("Fourth", [(1, 10, 5)]),
    )
    assert widget_titles(client.get("/").content.decode()) == ["Top", "Second", "Third"]
    for article in (top, third, fourth):
        beside = widget_titles(client.get(article.get_absolute_url()).content.decode())
        assert article.title not in beside


def test_popular_posts_after_an_article_never_repeat_what_the_page_shows(client, settings):
    """The end of an article shows no article twice: Popular Posts leaves out previous and
    next and the related articles too, and ranks more so it stays full."""
    settings.POPULARITY_WIDGET_SIZE = 3
    articles = read_articles(*((f"Read {n}", [(1, 100 - n, 10)]) for n in range(9)))
    ranked = [article.title for article in articles]  # most read first
    for article in articles[:4]:
        html = client.get(article.get_absolute_url()).content.decode()
        before = html[: html.index('id="popular-heading"')]
        on_page = {
            other.title
            for other in articles
            if other == article or f'href="{other.get_absolute_url()}"' in before
        }
        assert len(on_page) >= 3, "previous or next, and related, are on the page"
        expected = [title for title in ranked if title not in on_page][:3]
        assert widget_titles(html) == expected, article.title


def canonical(html: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)">', html)[1]


def test_each_ranking_has_one_address_and_its_own_canonical(client):
    read_articles(("Read", [(1, 3, 3)]))
    trending = client.get("/popular/trending/")
    assert trending.status_code == 301 and trending["Location"] == "/popular/"
    pages = ["/popular/", "/popular/24h/", "/popular/7d/", "/popular/30d/", "/popular/all/"]
    canonicals = []
    for path in pages:
        html = client.get(path).content.decode()
        canonicals.append(canonical(html))
        assert canonical(html) == f"http://testserver{path}"
        # The tabs link to each ranking's own address, never to the redirect.
        assert 'href="/popular/trending/"' not in html
        assert re.search(rf'href="{path}" aria-current="page"', html), path
    assert len(set(canonicals)) == len(pages)
    widget = client.get("/").content.decode()
    assert 'href="/popular/trending/"' not in widget


def test_popular_counts_are_grouped_in_thousands(client):
    read_articles(("Widely read", [(1, 1_234_567, 1_000_000)]))
    html = client.get("/popular/7d/").content.decode()
    assert "1,234,567 views" in html


# --- Figures that are missing are not zeros ---------------------------------------------


def published(title, days_ago, tags=("calm",), **fields):
    return ArticleFactory(
        title=title,
        published_at=timezone.now() - timedelta(days=days_ago),
        tags=list(tags),
        **fields,
    )


def counted_since(days_ago):
    """Views have been counted on the site since then (another article was read that day)."""
    DailyViewFactory(article=published("Old news", days_ago + 1, tags=["news"]), day=ago(days_ago))


def article_page(client, article, query=""):
    return client.get(reverse("statistics:article", kwargs={"article_id": article.pk}) + query)


def test_no_views_in_either_period_is_no_change_not_new(client, owner):
    counted_since(40)
    article = published("Forgotten", 40)
    client.force_login(owner)
    for html in (
        client.get(STATS + "?range=7").content.decode(),
        article_page(client, article, "?range=7").content.decode(),
    ):
        assert re.search(r'data-total="change">no change <small>\(previous period: 0\)', html)


def test_a_period_whose_period_before_was_not_counted_is_not_compared(client, owner):
    counted_since(10)
    read_articles(("Fresh", [(1, 5, 5)]))
    client.force_login(owner)
    html = client.get(STATS + "?range=7").content.decode()  # the 7 days before: half counted
    assert re.search(r'data-total="change">—</dd>', html)
    assert table(html, "article-table")[1][7:] == ["—", "—"]
    html = client.get(STATS + "?range=30").content.decode()
    assert "Views are counted from" in html and "the chart starts there" in html
    assert len(re.findall(r'<tr data-day="', html)) == 11  # from the first counted day


def test_a_scheduled_article_says_when_readers_will_see_it(client, owner):
    article = ArticleFactory(title="Tomorrow", scheduled=True)
    client.force_login(owner)
    html = article_page(client, article).content.decode()
    when = timezone.localtime(article.published_at)
    assert f'Scheduled: readers can see it from <time datetime="{when:%Y-%m-%dT%H:%M}">' in html
    assert "(published)" not in html
    assert f"Public from {when:%-d %B %Y}, after this period: nothing to chart." in html
    draft = ArticleFactory(title="Draft", draft=True)
    html = article_page(client, draft).content.decode()
    assert "Not visible to readers: a draft." in html
    assert "Never published yet: nothing to chart." in html


def test_a_scheduled_article_is_not_compared_with_its_peers_as_if_unread(client, owner):
    counted_since(100)
    peer = published("Read in its first week", 40, tags=["sleep"])
    DailyViewFactory(article=peer, day=ago(40), views=534, unique_readers=500)
    article = ArticleFactory(title="Next week", scheduled=True, tags=["sleep"])
    client.force_login(owner)
    peers = article_page(client, article).content.decode()
    peers = peers[
        peers.index("Against its peers") : peers.index(
            "</section>", peers.index("Against its peers")
        )
    ]
    assert "Not published yet: its first 7 days are still to come." in peers
    assert "0 views" not in peers and "still in its first week" not in peers
    assert (
        "The one other article tagged “sleep” to compare with: <strong>534 views</strong>." in peers
    )
    assert "×" not in peers


def test_the_chart_starts_on_the_day_the_article_was_published(client, owner):
    counted_since(100)
    article = published("New", 3)
    for age, views in ((3, 5), (2, 9), (0, 4)):
        DailyViewFactory(article=article, day=ago(age), views=views, unique_readers=1)
    client.force_login(owner)
    html = article_page(client, article, "?range=30").content.decode()
    days = re.findall(r'<tr data-day="([\d-]+)"><td>.*?</td><td class="num">(\d+)<', html)
    assert days == [(ago(age).isoformat(), str(v)) for age, v in ((3, 5), (2, 9), (1, 0), (0, 4))]
    assert f"Public from {ago(3):%-d %B %Y}: the chart starts there." in html
    assert html.count('class="chart-dot"') == 2 * 4
    assert "{#" not in html and "{%" not in html  # no template comment shown as text


def test_the_launch_week_is_not_flagged_as_unusual(client, owner, settings):
    settings.POPULARITY_SPIKE_FACTOR = 5
    settings.POPULARITY_SPIKE_MIN_VIEWS = 50
    counted_since(100)
    article = published("Launched", 5)
    for age, views in ((5, 300), (4, 220), (3, 150), (2, 120), (1, 100), (0, 90)):
        DailyViewFactory(article=article, day=ago(age), views=views, unique_readers=views)
    client.force_login(owner)
    html = article_page(client, article, "?range=7").content.decode()
    assert "Unusual days" not in html and "data-spike" not in html


def test_a_spike_over_an_article_usually_unread_does_not_say_its_usual_is_0(
    client, owner, settings
):
    settings.POPULARITY_SPIKE_FACTOR = 5
    settings.POPULARITY_SPIKE_MIN_VIEWS = 50
    counted_since(100)
    article = published("Quiet one", 60)
    DailyViewFactory(article=article, day=ago(1), views=68, unique_readers=60)
    client.force_login(owner)
    html = article_page(client, article, "?range=7").content.decode()
    assert f'data-spike="{ago(1).isoformat()}"' in html
    assert "68 views, usually none a day" in html
    assert "its usual 0" not in html


def test_the_only_article_with_its_tag_says_so(client, owner):
    counted_since(100)
    article = published("Alone", 30, tags=["botox"])
    DailyViewFactory(article=article, day=ago(30), views=12, unique_readers=10)
    client.force_login(owner)
    html = article_page(client, article).content.decode()
    assert "It is the only article tagged “botox” so far." in html
    assert "has finished its first week yet" not in html
    published("Second", 2, tags=["botox"])
    html = article_page(client, article).content.decode()
    assert "The one other article tagged “botox” cannot be compared yet." in html
    assert "(1 still in its first week: left out.)" in html


def test_peers_published_before_views_were_counted_are_left_out(client, owner):
    counted_since(50)
    article = published("Measured", 30, tags=["sleep"])
    DailyViewFactory(article=article, day=ago(30), views=90, unique_readers=80)
    for title, days_ago, views in (("Counted A", 45, 30), ("Counted B", 40, 50)):
        peer = published(title, days_ago, tags=["sleep"])
        DailyViewFactory(article=peer, day=ago(days_ago), views=views, unique_readers=1)
    for title in ("Before counting 1", "Before counting 2", "Before counting 3"):
        published(title, 200, tags=["sleep"])  # no rows: unknown, not 0 views
    client.force_login(owner)
    html = article_page(client, article).content.decode()
    assert "The median of the 2 other articles tagged “sleep”: <strong>40 views</strong>" in html
    assert "(2.3× the median)" in html  # 90 views against 40
    assert "(3 published before views were counted: left out.)" in html


def test_a_page_with_popular_posts_reads_the_content_version_once(client, monkeypatch):
    """Popular Posts uses the version its page already read: each shared-cache read is a
    round trip to Redis on every first render of a page."""
    from django.core.cache import cache

    from articles.cache import STATE_KEY

    read_articles(("Read", [(1, 3, 3)]))
    reads = []
    real_get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *a, **kw: reads.append(key) or real_get(key, *a, **kw)
    )
    assert _popular_titles(client.get("/")) == ["Read"]
    assert reads.count(STATE_KEY) == 1
