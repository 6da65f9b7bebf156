"""A reader's read depth, measured in a real browser and read back by a site owner."""

import time
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from articles.models import Article
from popularity.models import ReadDepthDay, SectionReach
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
