"""Two editors on one article, in two browsers: the second sees who is editing and can take
over; a save from the form opened before the other's save is refused, shows what the other
changed, and keeps the refused text in the form; nothing is lost."""

import pytest
import reversion
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect
from reversion.models import Version

from articles import concurrency
from articles.models import Article
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def article(editor):
    with reversion.create_revision():
        article = ArticleFactory(draft=True, title="Slow mornings", author=editor)
        SectionFactory(article=article, position=1, heading="Wake gently")
    return article


def signed_in_as(page, username: str, live_server) -> None:
    """Sign a second editor in by their session cookie (the login form is eddie's test)."""
    client = Client()
    client.force_login(UserFactory(username=username))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_two_editors_see_the_lock_and_a_refused_save_loses_nothing(
    editor, article, new_page, live_server, monkeypatch, screenshot, console_errors
):
    monkeypatch.setattr(concurrency, "HEARTBEAT_SECONDS", 1)
    bea = UserFactory(username="bea", first_name="Bea", is_staff=True)
    bea.groups.add(Group.objects.get(name="Editors"))
    change = f"/admin/articles/article/{article.pk}/change/"

    eddie_page = new_page()
    log_in(eddie_page)
    eddie_page.goto(change)
    bea_page = new_page()
    signed_in_as(bea_page, "bea", live_server)
    bea_page.goto(change)

    # Bea opened it second: she is told who is editing, and since when.
    banner = bea_page.locator("#edit-lock")
    assert "eddie is editing this article, since" in banner.inner_text()
    assert serious_violations(bea_page) == []
    screenshot(bea_page, "concurrency-lock")

    # She takes over; Eddie's page says so at its next heartbeat.
    banner.get_by_role("button", name="Take over editing").click()
    expect(banner).not_to_contain_text("is editing")
    expect(eddie_page.locator("#edit-lock")).to_contain_text("Bea took over editing")
    assert serious_violations(eddie_page, within=["#edit-lock"]) == []

    # Eddie saves a new title anyway (the lock informs, it does not forbid)...
    eddie_page.get_by_label("Title").fill("Slow, kind mornings")
    eddie_page.get_by_role("button", name="Save and continue editing").first.click()
    eddie_page.wait_for_load_state()
    assert Article.objects.get().title == "Slow, kind mornings"

    # ...then Bea saves from the form she opened before: refused, with what he changed.
    bea_page.get_by_label("Title").fill("Mornings, slowly")
    bea_page.get_by_label("Standfirst").fill("Bea's careful new standfirst.")
    bea_page.get_by_role("button", name="Save", exact=True).first.click()
    bea_page.wait_for_load_state()
    assert "eddie saved this article on" in bea_page.locator(".errornote + ul").inner_text()
    conflict = bea_page.locator(".save-conflict")
    title_change = conflict.locator("dt", has_text="Title").locator("+ dd")
    assert title_change.locator("ins").inner_text().strip() == "Slow, kind"
    assert bea_page.get_by_label("Title").input_value() == "Mornings, slowly"
    assert bea_page.get_by_label("Standfirst").input_value() == "Bea's careful new standfirst."
    assert Article.objects.get().title == "Slow, kind mornings"  # nothing of Eddie's lost
    assert serious_violations(bea_page) == []
    screenshot(bea_page, "concurrency-refused")

    # She chooses to replace his version with hers: saved, and his stays in the history.
    conflict.get_by_role("button", name="Save anyway").click()
    bea_page.wait_for_url("**/admin/articles/article/")
    messages = bea_page.locator(".messagelist").inner_text()
    assert "You replaced the changes eddie had saved" in messages
    article = Article.objects.get()
    assert (article.title, article.standfirst) == (
        "Mornings, slowly",
        "Bea's careful new standfirst.",
    )
    titles = [v.field_dict["title"] for v in Version.objects.get_for_object(article)]
    assert "Slow, kind mornings" in titles
    assert console_errors == []
