"""A reader's read depth, measured in a real browser and read back by a site owner."""

import time
from io import StringIO
from urllib.parse import parse_qs

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from articles.models import Article
from popularity.engaged import bucket_of
from popularity.models import EngagedTimeDay, ReadDepthDay, ReadReportSeen, SectionReach
from popularity.read_depth import article_top_sections
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP_CHROME
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def desktop_browser(browser):
    """A browser whose every request says desktop Chrome: a beacon sent while a page is
    going away leaves from the browser process, which ignores a per-page agent override
    (and "HeadlessChrome" is rightly refused as a bot)."""
    desktop = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--user-agent={DESKTOP_CHROME}"]
    )
    yield desktop
    desktop.close()


@pytest.fixture
def reader_page(desktop_browser, live_server, console_errors):
    contexts = []

    def open_page():
        context = desktop_browser.new_context(
            viewport={"width": 1280, "height": 900}, base_url=live_server.url
        )
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def demo_article():
    call_command("load_demo", stdout=StringIO())
    return Article.objects.get(slug="face-twitching-mystery")


def wait_for_report(article, timeout=10.0):
    """The beacon is sent as the page goes away and handled by the live server meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        day = ReadDepthDay.objects.filter(article=article).first()
        if day is not None:
            return day
        time.sleep(0.1)
    pytest.fail("no read-depth report arrived")


def owner_sees_funnel(new_page, article) -> list[str]:
    owner = UserFactory(username="siteowner", is_staff=True)
    owner.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    page = new_page()
    page.goto(f"/admin/login/?next=/admin/statistics/articles/{article.pk}/")
    page.fill("#id_username", "siteowner")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(f"**/admin/statistics/articles/{article.pk}/")
    return page.locator(".stats-funnel__value").all_inner_texts(), page


def test_a_reader_who_stops_at_the_third_section(
    reader_page, new_page, demo_article, screenshot, console_errors
):
    sections = article_top_sections(article_id=demo_article.pk)
    assert len(sections) > 3
    page = reader_page()
    page.goto(demo_article.get_absolute_url())
    third = sections[2][0]
    page.locator(f"#{third}").evaluate(
        "h => h.scrollIntoView({block: 'center', behavior: 'instant'})"
    )
    page.wait_for_timeout(400)  # the observer reports on the next frames
    page.goto("/")  # leaving the article: pagehide sends the beacon
    day = wait_for_report(demo_article)
    assert (day.readers, day.completions) == (1, 0)
    reached = dict(
        SectionReach.objects.filter(article=demo_article).values_list("position", "readers")
    )
    assert reached == {1: 1, 2: 1, 3: 1}

    values, owner_page = owner_sees_funnel(new_page, demo_article)
    assert values[:3] == ["1 of 1 (100%)"] * 3
    assert values[3:] == ["0 of 1 (0%)"] * (len(sections) - 3)
    assert "Completion rate" in owner_page.content()
    screenshot(owner_page, "read-depth-funnel")
    assert console_errors == []


def test_a_reader_who_reads_to_the_end_completes(reader_page, demo_article):
    page = reader_page()
    page.goto(demo_article.get_absolute_url())
    page.evaluate(
        "document.querySelector('.article__footer').scrollIntoView({behavior: 'instant'})"
    )
    page.wait_for_timeout(400)
    page.goto("/")
    day = wait_for_report(demo_article)
    assert (day.readers, day.completions) == (1, 1)
    last = len(article_top_sections(article_id=demo_article.pk))
    assert SectionReach.objects.get(article=demo_article, position=last).readers == 1


def test_a_reader_with_global_privacy_control_sends_nothing(reader_page, demo_article):
    page = reader_page()
    page.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {value: true})")
    beacons = []
    page.on("request", lambda r: beacons.append(r.url) if "read-depth/" in r.url else None)
    page.goto(demo_article.get_absolute_url())
    page.evaluate(
        "document.querySelector('.article__footer').scrollIntoView({behavior: 'instant'})"
    )
    page.wait_for_timeout(300)
    page.goto("/")
    page.wait_for_timeout(500)
    assert beacons == []
    assert not ReadDepthDay.objects.exists()


# --- Engaged time -------------------------------------------------------------------------


def set_hidden(page, hidden: bool) -> None:
    """The tab goes to the background (or comes back). Headless chromium keeps every tab
    "visible" whichever is in front, so the page is told as a browser tells it: the
    visibility state changes and `visibilitychange` fires."""
    page.evaluate(
        """hidden => {
            const state = hidden ? "hidden" : "visible", as = (get) => ({configurable: true, get});
            Object.defineProperty(document, "visibilityState", as(() => state));
            Object.defineProperty(document, "hidden", as(() => hidden));
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def sent_seconds(page) -> list[int]:
    """The engaged seconds of each report the page sends while it stays open (one sent as
    the page goes away is not seen here: the server's row tells)."""
    sent: list[int] = []

    def keep(request):
        if "read-depth/" in request.url and request.post_data:
            sent.append(int(parse_qs(request.post_data)["s"][0]))

    page.on("request", keep)
    return sent


def wait_for_engaged(more_than: int, timeout=10.0) -> ReadReportSeen:
    """The reader's kept time, once it is more than `more_than` (beacons arrive meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = ReadReportSeen.objects.first()
        if seen is not None and seen.engaged is not None and seen.engaged > more_than:
            return seen
        time.sleep(0.1)
    pytest.fail(f"no report with more than {more_than} engaged seconds arrived")


def test_a_page_left_in_a_background_tab_counts_no_time_while_hidden(reader_page, demo_article):
    page = reader_page()
    sent = sent_seconds(page)
    started = time.monotonic()
    page.goto(demo_article.get_absolute_url())
    page.wait_for_timeout(1000)
    set_hidden(page, True)  # another tab in front: the page reports what it has so far
    hidden_at = time.monotonic()
    page.wait_for_timeout(8000)
    set_hidden(page, False)
    shown_at = time.monotonic()
    page.mouse.wheel(0, 300)  # the reader reads on
    page.wait_for_timeout(1000)
    page.goto("/")
    left_at = time.monotonic()

    assert len(sent) == 1 and sent[0] >= 1  # sent as the tab went to the background
    # Sent as the page was left: a second more in front at least, so more seconds.
    seen = wait_for_engaged(sent[0])
    # At most the time in front (rounded up), far from the 10 s the page was open.
    in_front = (hidden_at - started) + (left_at - shown_at)
    assert seen.engaged <= in_front + 1 < left_at - started - 5
    # One reader, counted once, in the bucket of their most time.
    assert list(EngagedTimeDay.objects.values_list("bucket", "readers")) == [
        (bucket_of(seen.engaged), 1)
    ]


def test_a_short_single_page_visit_reports_its_time(reader_page, new_page, demo_article):
    page = reader_page()
    started = time.monotonic()
    page.goto(demo_article.get_absolute_url())
    page.wait_for_timeout(1500)  # read a little, touch nothing, leave
    page.goto("/")
    seen = wait_for_engaged(0)  # never 0 s
    assert 1 <= seen.engaged <= 1 + time.monotonic() - started
    assert EngagedTimeDay.objects.get(article=demo_article).readers == 1

    _, owner_page = owner_sees_funnel(new_page, demo_article)
    median = owner_page.locator('[data-engaged="median"]').inner_text()
    assert f"of a {demo_article.reading_time}-minute read" in median
    assert not median.startswith(("0 s", "—"))
