"""Review before publishing: authors submit, editors approve or send back; who may publish."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from tests.articles.admin_data import ADD_URL, CHANGELIST, article_data, change_url
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

Review = Article.ReviewState


@pytest.fixture
def author(roles):
    user = UserFactory(username="ada", is_staff=True, first_name="Ada")
    user.groups.add(Group.objects.get(name="Authors"))
    return user


@pytest.fixture
def author_client(author):
    """A browser of the author's own (`client` is the editor's in `editor_client`)."""
    client = Client()
    client.force_login(author)
    return client


@pytest.fixture
def draft(author):
    article = ArticleFactory(draft=True, author=author, title="Small steps", slug="small-steps")
    SectionFactory(article=article, position=1, heading="Begin")
    return article


def form_data(article, **fields) -> dict:
    fields.setdefault("author", str(article.author_id or ""))
    return article_data(
        title=article.title, slug=article.slug, existing=list(article.sections.all()), **fields
    )


def post(client, article, django_capture_on_commit_callbacks, **fields):
    """Post the change form (with a review button among `fields`), running on-commit mail."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(change_url(article), form_data(article, **fields))


def history_lines(article) -> list[str]:
    versions = Version.objects.get_for_object(article).select_related("revision")
    return [version.revision.get_comment() for version in versions]


def log_lines(article) -> list[str]:
    entries = LogEntry.objects.filter(object_id=str(article.pk)).order_by("pk")
    return [entry.get_change_message() for entry in entries]


# -- who may publish --------------------------------------------------------------------------


def test_an_author_cannot_publish_from_the_change_form(author_client, draft):
    page = author_client.get(change_url(draft)).content.decode()
    assert 'name="status"' not in page and 'name="published_at_0"' not in page
    assert 'name="_review_submit"' in page and "Approve and publish" not in page

    # A forged field is ignored: the status is read-only to an author.
    moment = timezone.now() - timedelta(hours=1)
    response = author_client.post(
        change_url(draft), form_data(draft, status="published", published_at=moment)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT and draft.published_at is None
    assert not Article.objects.published().exists()


def test_an_author_cannot_schedule_an_unpublish(author_client, draft):
    page = author_client.get(change_url(draft)).content.decode()
    assert 'name="expires_at_0"' not in page and 'name="expired_redirect"' not in page

    # A forged field is ignored: when an editor approves it, it stays up.
    target = ArticleFactory(title="Elsewhere")
    moment = timezone.localtime(timezone.now() + timedelta(days=2))
    response = author_client.post(
        change_url(draft),
        form_data(
            draft,
            expires_at_0=moment.strftime("%Y-%m-%d"),
            expires_at_1=moment.strftime("%H:%M:%S"),
            expired_redirect=str(target.pk),
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.expires_at is None and draft.expired_redirect is None


def test_an_author_cannot_approve_or_change_a_published_article(author_client, draft):
    response = author_client.post(change_url(draft), form_data(draft, _review_approve="Approve"))
    assert response.status_code == 200
    assert "Only an editor can approve" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    live = ArticleFactory(title="Live one")
    SectionFactory(article=live, position=1, heading="Opening")
    page = author_client.get(change_url(live)).content.decode()
    assert 'name="_save"' not in page and 'name="title"' not in page
    assert 'name="sections-0-heading"' not in page  # its sections are read-only too
    assert author_client.post(change_url(live), form_data(live)).status_code == 403


def test_a_new_article_by_an_author_is_a_draft_that_can_go_straight_to_review(
    author_client, author, editor, django_capture_on_commit_callbacks
):
    data = article_data(status="published", _review_submit="Submit for review")
    with django_capture_on_commit_callbacks(execute=True):
        assert author_client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.review_state == Review.SUBMITTED and article.review_requested_by == author
    assert [message.to for message in mail.outbox] == [[editor.email]]


def test_the_bulk_publish_actions_are_an_editors(author_client, editor_client, draft):
    page = author_client.get(CHANGELIST).content.decode()
    assert "publish_selected" not in page and "feature_selected" in page
    author_client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    editor_client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_public


PUBLISHED_MD = """---
title: Slow Breathing
standfirst: Breathe out for longer than you breathe in.
status: {status}
---

## Why it works

Long exhales calm the nervous system.
"""


def test_an_author_imports_drafts_but_nothing_that_publishes(author_client):
    def send(status: str):
        upload = SimpleUploadedFile("slow.md", PUBLISHED_MD.format(status=status).encode())
        response = author_client.post(CHANGELIST + "import/", {"files": [upload]})
        return response.context["outcomes"][0]

    refused = send("published")
    assert refused.result == "refused" and "only an editor can publish" in refused.detail
    assert not Article.objects.exists()
    assert send("draft").result == "created"
    Article.objects.update(status="published", published_at=timezone.now())
    assert send("draft").result == "refused"  # it would change a live article


# -- the review steps ---------------------------------------------------------------------------


def test_submit_send_back_resubmit_and_approve(
    author_client, editor_client, author, editor, draft, django_capture_on_commit_callbacks
):
    client = editor_client
    post(author_client, draft, django_capture_on_commit_callbacks, _review_submit="Submit")
    draft.refresh_from_db()
    assert draft.review_state == Review.SUBMITTED
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert "Waiting for your review: Small steps" == mail.outbox[0].subject
    assert change_url(draft) in mail.outbox[0].body

    page = client.get(change_url(draft)).content.decode()
    assert "Approve and publish" in page and "Approve and schedule" in page

    # Sending back needs a comment: without one nothing changes and nobody is mailed.
    response = post(client, draft, django_capture_on_commit_callbacks, _review_sendback="Send")
    assert response.status_code == 200
    assert "sending back needs a comment" in response.content.decode()
    draft.refresh_from_db()
    assert draft.review_state == Review.SUBMITTED and len(mail.outbox) == 1

    post(
        client,
        draft,
        django_capture_on_commit_callbacks,
        _review_sendback="Send",
        review_note="Please add a source for the second claim.",
    )
    draft.refresh_from_db()
    assert draft.review_state == Review.CHANGES_REQUESTED
    assert draft.status == Article.Status.DRAFT
    back = mail.outbox[-1]
    assert back.to == [author.email] and "Please add a source" in back.body

    post(
        author_client,
        draft,
        django_capture_on_commit_callbacks,
        _review_submit="Submit",
        review_note="Source added.",
    )
    draft.refresh_from_db()
    assert draft.review_state == Review.SUBMITTED

    response = post(client, draft, django_capture_on_commit_callbacks, _review_approve="Approve")
    # One message says what happened, not two ("…: Approved" and "…changed successfully").
    told = [str(message) for message in client.get(response.url).context["messages"]]
    assert told[-1] == "“Small steps”: Approved and published."
    assert not any("successfully" in message for message in told)
    draft.refresh_from_db()
    assert draft.is_public and draft.review_state == Review.APPROVED
    assert mail.outbox[-1].to == [author.email]
    assert mail.outbox[-1].subject == "Approved and published: Small steps"
    assert len(mail.outbox) == 4

    # Every step is in the history, with its comment: the revisions and the admin log.
    lines = history_lines(draft)
    assert any("Submitted for review." in line for line in lines)
    assert any("Sent back for changes: Please add a source" in line for line in lines)
    assert any("Submitted for review: Source added." in line for line in lines)
    assert any("Approved and published." in line for line in lines)
    assert sum("Sent back for changes" in line for line in log_lines(draft)) == 1
    assert not any("Comment" in line for line in log_lines(draft))
    # A step that changed no field says only the step (not "No fields changed. Approved…").
    assert "Sent back for changes: Please add a source for the second claim." in lines
    assert not any("No fields changed" in line for line in [*lines, *log_lines(draft)])


def test_approve_and_schedule_needs_a_future_time(
    editor_client, draft, django_capture_on_commit_callbacks
):
    Article.objects.filter(pk=draft.pk).update(review_state=Review.SUBMITTED)
    past = timezone.now() - timedelta(days=1)
    response = post(
        editor_client,
        draft,
        django_capture_on_commit_callbacks,
        _review_schedule="Schedule",
        published_at=past,
    )
    assert "choose a publication date and time in the future" in response.content.decode()
    never = timezone.now() + timedelta(days=7000)  # a typing slip, not a plan
    response = post(
        editor_client,
        draft,
        django_capture_on_commit_callbacks,
        _review_schedule="Schedule",
        published_at=never,
    )
    assert "is more than 3 years ahead" in response.content.decode()
    draft.refresh_from_db()
    assert draft.review_state == Review.SUBMITTED and not draft.is_scheduled
    future = timezone.now() + timedelta(days=2)
    post(
        editor_client,
        draft,
        django_capture_on_commit_callbacks,
        _review_schedule="Schedule",
        published_at=future,
    )
    draft.refresh_from_db()
    assert draft.is_scheduled and draft.review_state == Review.APPROVED
    assert mail.outbox[-1].subject == "Approved and scheduled: Small steps"


def test_approving_asks_what_publishing_asks_and_never_fails_midway(
    editor_client, draft, django_capture_on_commit_callbacks
):
    """Approving publishes: a missing standfirst is a form error on its field, the article
    stays a submitted draft, and nothing is mailed (not a 500 from the database)."""
    Article.objects.filter(pk=draft.pk).update(review_state=Review.SUBMITTED)
    sent = len(mail.outbox)
    response = post(
        editor_client,
        draft,
        django_capture_on_commit_callbacks,
        _review_approve="Approve",
        standfirst="",
    )
    assert response.status_code == 200
    assert "standfirst" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT and draft.review_state == Review.SUBMITTED
    assert len(mail.outbox) == sent


def test_an_unknown_review_button_is_an_ordinary_save(editor_client, draft):
    response = editor_client.post(change_url(draft), form_data(draft, _review_bogus="x"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.review_state == Review.NONE


# -- the queues on the admin index --------------------------------------------------------------


def test_the_index_shows_each_role_its_queue(
    client, author, editor, draft, django_assert_max_num_queries
):
    other = ArticleFactory(draft=True, title="Second draft")
    Article.objects.filter(pk=draft.pk).update(
        review_state=Review.SUBMITTED, review_requested_by=author, review_changed_at=timezone.now()
    )
    Article.objects.filter(pk=other.pk).update(
        review_state=Review.CHANGES_REQUESTED,
        review_requested_by=author,
        review_comment="Shorter title, please.",
        review_changed_at=timezone.now(),
    )
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert "Waiting for your review" in page and "Small steps" in page
    assert "Second draft" not in page  # sent back to its author, not waiting

    client.force_login(author)
    with django_assert_max_num_queries(12):
        page = client.get("/admin/").content.decode()
    assert "Waiting for your review" not in page
    assert "Sent back to you" in page and "Shorter title, please." in page
    assert "Second draft" in page
