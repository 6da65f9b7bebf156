"""Review before publishing, and previews others can open, in a real browser.

An author submits a draft; an editor sends it back with a comment; the author sees it on
the admin index, edits and resubmits; the editor approves and it is published; both were
told by e-mail. A preview link opens without an account and stops working when its time
is up; the admin preview shows the draft at phone and desktop widths.
"""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from articles import preview_links
from articles.models import Article
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def author(editor):  # `editor` made the roles
    user = UserFactory(username="ada", is_staff=True, first_name="Ada")
    user.groups.add(Group.objects.get(name="Authors"))
    return user


@pytest.fixture
def draft(author):
    article = ArticleFactory(
        draft=True, author=author, title="Small steps", slug="small-steps", standfirst="Begin."
    )
    SectionFactory(article=article, position=1, heading="Begin", body="<p>One step.</p>")
    return article


def change(page, article) -> None:
    page.goto(f"/admin/articles/article/{article.pk}/change/")


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_an_author_submits_an_editor_sends_back_then_approves(
    author, editor, draft, new_page, screenshot, console_errors
):
    writer = new_page()
    log_in(writer, "ada")
    change(writer, draft)
    # The author cannot choose the status: it is shown, not offered.
    assert writer.locator("select#id_status").count() == 0
    writer.get_by_label("Comment").fill("First draft, ready for a look.")
    assert serious_violations(writer, within=["fieldset.review", ".submit-row"]) == []
    screenshot(writer, "review-author-change-form")
    press(writer, "Submit for review")
    assert "Submitted for review" in writer.locator(".messagelist").inner_text()
    assert [message.to for message in mail.outbox] == [[editor.email]]

    reviewer = new_page()
    log_in(reviewer)
    queue = reviewer.locator("#review-waiting")
    assert "Small steps" in queue.inner_text()
    assert serious_violations(reviewer, within=["#review-waiting"]) == []
    queue.get_by_role("link", name="Small steps").click()
    reviewer.wait_for_load_state()
    assert "First draft, ready for a look." in reviewer.locator("fieldset.review").inner_text()

    # Sending back without a comment is refused, and says why.
    press(reviewer, "Send back")
    assert "sending back needs a comment" in reviewer.locator("fieldset.review").inner_text()
    assert serious_violations(reviewer, within=["fieldset.review"]) == []
    reviewer.get_by_label("Comment").fill("Please add a second step.")
    press(reviewer, "Send back")
    screenshot(reviewer, "review-sent-back")
    draft.refresh_from_db()
    assert draft.review_state == Article.ReviewState.CHANGES_REQUESTED
    assert mail.outbox[-1].to == [author.email]
    assert "Please add a second step." in mail.outbox[-1].body

    writer.goto("/admin/")
    back = writer.locator("#review-sent-back")
    assert "Please add a second step." in back.inner_text()
    assert serious_violations(writer, within=["#review-sent-back"]) == []
    screenshot(writer, "review-author-index")
    back.get_by_role("link", name="Small steps").click()
    writer.wait_for_load_state()
    writer.get_by_label("Title").fill("Small steps, then two")
    press(writer, "Submit for review")
    assert mail.outbox[-1].to == [editor.email]

    change(reviewer, draft)
    press(reviewer, "Approve and publish")
    assert "Approved and published." in reviewer.locator(".messagelist").inner_text()
    draft.refresh_from_db()
    assert draft.is_public and draft.title == "Small steps, then two"
    assert mail.outbox[-1].subject == "Approved and published: Small steps, then two"
    assert len(mail.outbox) == 4

    reader = new_page()
    reader.goto("/articles/small-steps/")
    assert reader.get_by_role("heading", level=1).inner_text() == "Small steps, then two"

    # Each step is in the article's history, with its comment.
    reviewer.goto(f"/admin/articles/article/{draft.pk}/history/")
    history = reviewer.locator("#content-main").inner_text()
    for line in ("Submitted for review", "Sent back for changes: Please add", "Approved and"):
        assert line in history
    assert console_errors == []


def test_a_preview_link_opens_without_an_account_and_stops_working(
    editor, draft, new_page, monkeypatch, screenshot, console_errors
):
    # "1 hour" lasts three seconds here, so the test can wait for it to run out.
    monkeypatch.setitem(preview_links.LIFETIMES, "1h", (timedelta(seconds=3), "1 hour"))
    page = new_page()
    log_in(page)
    change(page, draft)
    page.get_by_role("link", name="Share preview").click()
    page.wait_for_load_state()
    assert serious_violations(page) == []
    page.get_by_label("1 hour").check()
    press(page, "Create a preview link")
    link = page.get_by_label("Preview link", exact=False).input_value()
    assert "/preview/" in link
    assert serious_violations(page) == []
    screenshot(page, "review-share-preview")

    stranger = new_page()
    response = stranger.goto(link)
    assert response.status == 200
    assert stranger.get_by_role("heading", level=1).inner_text() == "Small steps"
    assert "Preview" in stranger.locator(".preview-banner").inner_text()
    assert response.headers["x-robots-tag"] == "noindex, nofollow"

    time.sleep(4)
    assert stranger.goto(link).status == 404
    assert console_errors == [] or all("404" in error for error in console_errors)


def test_the_admin_preview_at_phone_and_desktop_widths(
    editor, draft, new_page, screenshot, console_errors
):
    page = new_page()
    log_in(page)
    change(page, draft)
    page.get_by_role("link", name="Phone and desktop").click()
    page.wait_for_load_state()
    frame = page.locator("iframe.preview-frame")
    assert frame.bounding_box()["width"] == pytest.approx(375, abs=2)
    heading = page.frame_locator("iframe.preview-frame").get_by_role("heading", level=1)
    assert heading.inner_text() == "Small steps"
    assert serious_violations(page, within=["#content-main"]) == []
    screenshot(page, "review-preview-phone")

    page.get_by_role("link", name="Desktop (1280 px)").click()
    page.wait_for_load_state()
    assert page.locator("iframe.preview-frame").bounding_box()["width"] == pytest.approx(
        1280, abs=2
    )
    assert page.get_by_role("link", name="Desktop (1280 px)").get_attribute("aria-current")
    assert console_errors == []


def test_the_review_queues_fit_a_phone(author, editor, draft, new_page, screenshot, console_errors):
    """A long comment wraps beside a readable title; the page never scrolls sideways."""
    comment = "Please add a second step with an exercise readers can try at their desk today."
    Article.objects.filter(pk=draft.pk).update(
        title="A much longer title for the small steps article",
        review_state=Article.ReviewState.CHANGES_REQUESTED,
        review_comment=comment,
        review_changed_at=timezone.now(),
    )
    page = new_page(width=375)
    log_in(page, "ada")
    queue = page.locator("#review-sent-back")
    assert comment in queue.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    title = queue.get_by_role("link", name="A much longer title")
    assert title.bounding_box()["width"] > 100  # words per line, not a letter per line
    screenshot(page, "review-queues-phone")
    assert console_errors == []


@pytest.mark.parametrize("width", [1280, 375])
def test_delete_comes_after_every_save_and_review_button(
    width, editor, draft, new_page, console_errors
):
    Article.objects.filter(pk=draft.pk).update(review_state=Article.ReviewState.SUBMITTED)
    page = new_page(width=width)
    log_in(page)
    change(page, draft)
    row = page.locator(".submit-row").first
    delete = row.get_by_role("link", name="Delete").bounding_box()
    for name in ("Save", "Save and preview", "Approve and publish", "Send back"):
        button = row.get_by_role("button", name=name, exact=True).bounding_box()
        # Later on the same line, or on a later line (a phone stacks them).
        assert (delete["y"], delete["x"]) > (button["y"], button["x"]), name
    assert console_errors == []
