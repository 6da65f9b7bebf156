"""A site owner shares an article's figures by a link, which works without an account until
revoked, then answers 404; the weekly digest's preview shows the dashboard's figures for
the same week."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from popularity.digest import last_week_start
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.factories import ArticleFactory, DailyOriginFactory, DailyViewFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner():
    call_command("setup_roles", verbosity=0)
    user = UserFactory(username="olive", is_staff=True)
    user.groups.add(Group.objects.get(name="Site owners"))
    return user


def test_a_shared_link_shows_the_figures_until_it_is_revoked(
    browser, live_server, new_page, owner, screenshot
):
    yesterday = timezone.localdate() - timedelta(days=1)  # inside the shared page's 30 days
    article = ArticleFactory(title="Sleep after a long day")
    ArticleFactory(title="Grief at work")  # another article: never on the shared page
    DailyViewFactory(article=article, day=yesterday, views=12, unique_readers=9)
    DailyOriginFactory(article=article, day=yesterday, source="Reddit", views=12)

    page = new_page()
    log_in(page, "olive")
    page.goto(f"/admin/statistics/articles/{article.pk}/")
    page.get_by_role("link", name="Share these figures read-only").click()
    page.get_by_label("Label").fill("Ana, her sleep article")
    expect(page.locator("#id_scope")).to_have_value("article")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/popularity/sharedstatslink/*/change/")
    url = page.locator(".field-link a").get_attribute("href")
    path = url[url.index("/popularity/shared/") :]

    stranger = browser.new_context(base_url=live_server.url)  # no account, no cookie
    shared = stranger.new_page()
    response = shared.goto(path)
    assert response.status == 200
    expect(shared.locator("h1")).to_have_text("Statistics: Sleep after a long day")
    expect(shared.locator("[data-total=views]")).to_have_text("12")
    expect(shared.locator("#shared-sources-table")).to_contain_text("Reddit")
    assert "Grief at work" not in shared.content()
    assert stranger.cookies() == []
    assert response.headers["referrer-policy"] == "no-referrer"
    for scheme in ("light", "dark"):
        shared.emulate_media(color_scheme=scheme)
        found = serious_violations(shared)
        assert found == [], (scheme, found)
    screenshot(shared, "shared-link-1280-dark")

    page.goto("/admin/popularity/sharedstatslink/")
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.get_by_label("Action:").select_option("revoke")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 link revoked.")).to_be_visible()

    assert shared.goto(path).status == 404
    expect(shared.get_by_text("Sleep after a long day")).to_have_count(0)
    stranger.close()


def test_the_digest_preview_shows_the_dashboards_figures_for_the_week(new_page, owner, screenshot):
    week = last_week_start()
    steady, rising = ArticleFactory(title="Steady read"), ArticleFactory(title="Rising read")
    for article, day, views in (
        (steady, week + timedelta(days=1), 40),
        (rising, week + timedelta(days=5), 25),
        (rising, week - timedelta(days=3), 5),
        (steady, week - timedelta(days=30), 1),
    ):
        DailyViewFactory(article=article, day=day, views=views, unique_readers=views - 1)

    page = new_page()
    log_in(page, "olive")
    page.goto(f"/admin/statistics/?start={week}&end={week + timedelta(days=6)}")
    views = page.locator("[data-total=views]").inner_text()
    readers = page.locator("[data-total=unique_readers]").inner_text()
    change = page.locator("[data-total=change]").inner_text().split(" ")[0]
    titles = page.locator("#article-table tbody tr td.stats-reflow__lead a").all_inner_texts()
    assert (views, readers, titles) == ("65", "63", ["Steady read", "Rising read"])

    page.get_by_role("link", name="Weekly digest").click()
    mail = page.locator(".digest-mail")
    expect(mail.locator("[data-digest=views]")).to_have_text(views)
    expect(mail.locator("[data-digest=unique_readers]")).to_have_text(readers)
    expect(mail.locator("[data-digest=views_change]")).to_have_text(change)
    expect(mail.locator("#digest-top tbody th")).to_have_text(titles)
    expect(mail.locator("#digest-risers tbody th")).to_have_text(["Steady read", "Rising read"])
    found = serious_violations(page, within=["#content-main"])
    assert found == [], found
    screenshot(page, "digest-preview-1280")
