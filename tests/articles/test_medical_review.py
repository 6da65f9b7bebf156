"""Medical review: what a review covers, when it is due, and how editors and imports record it."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from articles import scheduling, services
from articles.content import ContentError, parse_import_document
from articles.medical_review import ReviewStatus, months_before, review_due_cutoff
from articles.models import Article, AuthorProfile
from articles.publishing_checks import Check, article_findings
from tests.articles.admin_data import ADD_URL, CHANGELIST, article_data, change_url
from tests.articles.test_admin_editing import form_of
from tests.factories import ArticleFactory, ReviewerFactory, SectionFactory

pytestmark = pytest.mark.django_db


def health_article(**fields) -> Article:
    article = ArticleFactory(health_content=True, **fields)
    SectionFactory(article=article, position=1, heading="What a twitch is", anchor="")
    services.article_refresh_derived(article_id=article.pk)
    article.refresh_from_db()
    return article


def reviewed(article: Article, *, on: date | None = None, reviewer=None) -> Article:
    return services.article_review_record(
        article=article,
        reviewer=reviewer or ReviewerFactory(),
        reviewed_on=on or timezone.localdate(),
    )


def rewrite_first_section(article: Article, body: str = "<p>A new dose: 50 mg.</p>") -> Article:
    section = article.sections.order_by("position").first()
    section.body = body
    section.save()
    services.article_refresh_derived(article_id=article.pk)  # as after the commit
    article.refresh_from_db()
    return article


# -- dates ---------------------------------------------------------------------------------------


def test_months_before_keeps_the_day_or_takes_the_shorter_months_last():
    assert months_before(date(2026, 5, 15), 12) == date(2025, 5, 15)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 10), 13) == date(2024, 12, 10)


def test_the_due_cutoff_follows_the_setting(settings):
    settings.MEDICAL_REVIEW_DUE_AFTER_MONTHS = 6
    assert review_due_cutoff(date(2026, 12, 6)) == date(2026, 6, 6)


# -- what a review covers ------------------------------------------------------------------------


def test_a_review_covers_the_text_until_a_word_changes():
    article = reviewed(health_article())
    assert article.review_covers_text
    assert article.medical_review_status == ReviewStatus.CURRENT

    article.featured = True  # not the words
    article.save()
    services.article_refresh_derived(article_id=article.pk)
    article.refresh_from_db()
    assert article.review_covers_text

    article = rewrite_first_section(article)
    assert not article.review_covers_text
    assert article.medical_review_status == ReviewStatus.CHANGED
    assert list(Article.objects.changed_since_review()) == [article]

    article = reviewed(article, reviewer=article.reviewer)  # checked again
    assert article.medical_review_status == ReviewStatus.CURRENT
    assert not Article.objects.changed_since_review().exists()


def test_review_due_and_never_reviewed_are_for_health_articles(settings):
    settings.MEDICAL_REVIEW_DUE_AFTER_MONTHS = 12
    today = timezone.localdate()
    due = reviewed(health_article(title="Due"), on=months_before(today, 13))
    fresh = reviewed(health_article(title="Fresh"), on=today - timedelta(days=30))
    never = health_article(title="Never")
    ArticleFactory(title="Not health")

    assert due.medical_review_status == ReviewStatus.DUE
    assert fresh.medical_review_status == ReviewStatus.CURRENT
    assert never.medical_review_status == ReviewStatus.NEVER
    assert Article.objects.get(title="Not health").medical_review_status is None
    assert [a.title for a in Article.objects.review_due()] == ["Due"]
    assert [a.title for a in Article.objects.never_reviewed()] == ["Never"]

    settings.MEDICAL_REVIEW_DUE_AFTER_MONTHS = 1
    assert {a.title for a in Article.objects.review_due()} == {"Due", "Fresh"}


def test_a_review_needs_both_reviewer_and_date_in_the_database():
    from django.db import IntegrityError, transaction

    article = health_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(reviewed_at=timezone.localdate())


def test_a_reviewer_named_on_a_review_cannot_be_deleted():
    from django.db.models import ProtectedError

    article = reviewed(health_article())
    with pytest.raises(ProtectedError):
        article.reviewer.delete()


# -- before publishing ---------------------------------------------------------------------------


def test_a_health_article_without_a_current_review_gets_a_warning():
    def review_findings(article):
        return [f for f in article_findings(article=article) if f.check == Check.MEDICAL_REVIEW]

    article = health_article()
    (finding,) = review_findings(article)
    assert finding.level == "warning" and finding.field == "id_reviewer"
    article = reviewed(article)
    assert review_findings(article) == []
    assert review_findings(rewrite_first_section(article)) != []  # the review is of before
    assert review_findings(ArticleFactory()) == []  # not health content


# -- the admin -----------------------------------------------------------------------------------


def post_form(client, article, **fields):
    # The factory's author is no staff member: the form keeps no author.
    fields = {
        "status": article.status,
        "published_at": article.published_at,
        "author": "",
        **fields,
    }
    return client.post(change_url(article), form_of(article, **fields))


def form_errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def test_only_a_profile_with_credentials_can_be_the_reviewer(editor_client):
    article = health_article()
    nobody = ReviewerFactory(name="Sam Writer", credentials="")
    errors = form_errors(
        post_form(
            editor_client,
            article,
            health_content="on",
            reviewer=str(nobody.pk),
            reviewed_at=timezone.localdate().isoformat(),
        )
    )
    assert "Sam Writer has no credentials" in errors["reviewer"][0]
    article.refresh_from_db()
    assert article.reviewer is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reviewer": "pk"}, "reviewed_at", "Give the day of the review"),
        ({"reviewed_at": "2026-01-02"}, "reviewer", "Choose who reviewed"),
        ({"mark_reviewed_today": "on"}, "reviewer", "Choose who reviewed"),
        ({"reviewer": "pk", "reviewed_at": "2999-01-01"}, "reviewed_at", "in the future"),
        ({"reviewer": "pk", "reviewed_at": "0001-01-01"}, "reviewed_at", "before 1990"),
        ({"reviewer": "pk", "reviewed_at": "0026-11-16"}, "reviewed_at", "16/11/0026 is before"),
        ({"reviewer": "pk", "reviewed_at": "not a day"}, "reviewed_at", "valid date"),
    ],
)
def test_a_review_without_who_or_when_is_a_form_error(editor_client, fields, field, message):
    article = health_article()
    doctor = ReviewerFactory()
    fields = {k: (str(doctor.pk) if v == "pk" else v) for k, v in fields.items()}
    errors = form_errors(post_form(editor_client, article, health_content="on", **fields))
    assert message in " ".join(errors[field])
    assert Article.objects.get().reviewer is None


def test_reviewed_today_records_a_review_of_the_saved_text(
    editor_client, django_capture_on_commit_callbacks
):
    article = health_article()
    doctor = ReviewerFactory(name="Dr Amira Haddad", credentials="MD, neurologist")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            editor_client,
            article,
            health_content="on",
            reviewer=str(doctor.pk),
            mark_reviewed_today="on",
            standfirst="Checked words, saved with the review.",
        )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.reviewer, article.reviewed_at) == (doctor, timezone.localdate())
    assert article.review_covers_text  # the words saved in the same form

    page = editor_client.get(change_url(article)).content.decode()
    assert "The review covers the text as it is now." in page

    # A later edit of the words, even a minor one, is a change since the review.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            editor_client,
            article,
            health_content="on",
            reviewer=str(doctor.pk),
            reviewed_at=article.reviewed_at.isoformat(),
            standfirst="Checked words, then a typo fixed.",
        )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.medical_review_status == ReviewStatus.CHANGED
    page = editor_client.get(change_url(article)).content.decode()
    assert "Changed since review" in page and "tick “Reviewed today”" in page
    listed = editor_client.get(CHANGELIST).content.decode()
    assert 'article-status-refused">Changed since review</span>' in listed


def test_reviewed_today_again_with_a_list_change_shows_on_the_lists_at_once(
    editor_client, client, commit_callbacks
):
    article = health_article(title="Why faces twitch")
    doctor = ReviewerFactory()
    commit_callbacks(reviewed, article, reviewer=doctor)  # today, these words
    assert '<p class="kicker">Featured</p>' not in client.get("/").content.decode()
    response = commit_callbacks(
        post_form,
        editor_client,
        article,
        health_content="on",
        featured="on",
        reviewer=str(doctor.pk),
        mark_reviewed_today="on",
    )
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert '<p class="kicker">Featured</p>' in home and "Why faces twitch" in home


def test_a_new_article_can_be_saved_reviewed(editor_client, django_capture_on_commit_callbacks):
    doctor = ReviewerFactory()
    data = article_data(
        sections=[{"heading": "What it is", "body": "<p>A flutter.</p>"}],
        health_content="on",
        reviewer=str(doctor.pk),
        mark_reviewed_today="on",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get()
    assert article.reviewer == doctor and article.review_covers_text


def test_the_checks_panel_follows_the_review_as_typed(editor_client):
    article = health_article()
    checks = f"/admin/articles/article/{article.pk}/checks/"
    doctor = ReviewerFactory()

    def warned(**fields) -> bool:
        data = form_of(article, health_content="on", **fields)
        response = editor_client.post(checks, data)
        return "no medical review of its current text" in response.json()["html"]

    assert warned()
    assert warned(reviewer=str(doctor.pk))  # nobody said when
    assert not warned(reviewer=str(doctor.pk), mark_reviewed_today="on")
    assert not warned(reviewer=str(doctor.pk), reviewed_at="2026-01-05")
    response = editor_client.post(checks, form_of(article))  # health content unticked
    assert "medical review" not in response.json()["html"]


def test_removing_the_reviewer_and_date_removes_the_review(editor_client):
    article = reviewed(health_article())
    response = post_form(editor_client, article, health_content="on")
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert (article.reviewer, article.reviewed_at, article.reviewed_text_digest) == (None, None, "")


def test_list_filters_review_due_and_never_reviewed(editor_client, settings):
    settings.MEDICAL_REVIEW_DUE_AFTER_MONTHS = 12
    today = timezone.localdate()
    reviewed(health_article(title="Reviewed long ago"), on=months_before(today, 14))
    reviewed(health_article(title="Reviewed lately"), on=today)
    health_article(title="Never looked at")
    ArticleFactory(title="About kindness")

    def titles(**query):
        response = editor_client.get(CHANGELIST, query)
        return sorted(a.title for a in response.context["cl"].result_list)

    assert titles(medical_review="due") == ["Reviewed long ago"]
    assert titles(medical_review="never") == ["Never looked at"]
    assert titles(medical_review="changed") == []
    page = editor_client.get(CHANGELIST).content.decode()
    for badge in ("Review due", "Never reviewed", "Reviewed"):
        assert f">{badge}</span>" in page


def test_a_minor_edit_leaves_updated_alone_and_a_substantive_one_moves_it(
    editor_client, article_with_sections
):
    article = article_with_sections
    post_form(editor_client, article, standfirst="A typo fixed.")
    article.refresh_from_db()
    assert article.revised_at is not None and article.substantive_change_at is None
    typo_fixed = article.revised_at

    post_form(
        editor_client, article, standfirst="A new paragraph of advice.", substantive_change="on"
    )
    article.refresh_from_db()
    assert article.substantive_change_at == article.revised_at > typo_fixed

    post_form(editor_client, article, featured="on", substantive_change="on")  # no words changed
    before = article.substantive_change_at
    article.refresh_from_db()
    assert article.substantive_change_at == before


# -- scheduled updates ---------------------------------------------------------------------------


def prepared_update(article: Article):
    update = scheduling.article_update_prepare(article=article, go_live_at=timezone.now())
    services.article_refresh_derived(article_id=update.draft_id)  # as after the commit
    update.draft.refresh_from_db()
    return update


def applied(update) -> Article:
    assert scheduling.article_update_apply(update_id=update.pk)
    services.article_refresh_derived(article_id=update.article_id)  # as after the commit
    return Article.objects.get(pk=update.article_id)


def test_a_health_articles_update_is_checked_as_health_content_and_starts_reviewed():
    article = reviewed(health_article(), on=date(2026, 4, 3))
    draft = prepared_update(article).draft
    assert draft.health_content
    assert draft.medical_review_status == ReviewStatus.CURRENT  # the same words, reviewed
    rewrite_first_section(draft)
    assert draft.medical_review_status == ReviewStatus.CHANGED
    findings = {f.check for f in article_findings(article=draft)}
    assert Check.MEDICAL_REVIEW in findings and Check.HEALTH_SOURCES in findings


def test_a_review_of_the_updates_words_goes_live_with_them():
    doctor = ReviewerFactory(name="Dr Amira Haddad")
    article = reviewed(health_article(), on=date(2026, 4, 3))
    update = prepared_update(article)
    reviewed(rewrite_first_section(update.draft), on=date(2026, 5, 2), reviewer=doctor)
    live = applied(update)
    assert "50 mg" in live.sections.get().body
    assert (live.reviewer, live.reviewed_at) == (doctor, date(2026, 5, 2))
    assert live.medical_review_status == ReviewStatus.CURRENT


def test_an_update_nobody_reviewed_leaves_the_live_review_covering_an_earlier_version():
    article = reviewed(health_article(), on=date(2026, 4, 3))
    first_reviewer = article.reviewer
    update = prepared_update(article)
    rewrite_first_section(update.draft)
    live = applied(update)
    assert (live.reviewer, live.reviewed_at) == (first_reviewer, date(2026, 4, 3))
    assert live.medical_review_status == ReviewStatus.CHANGED


# -- import --------------------------------------------------------------------------------------

FILE = """---
title: When your eyelid twitches
slug: eyelid-twitch
standfirst: Usually harmless, sometimes worth a doctor's look.
health_content: true
{review}
---

## What it is

A flutter of the small muscle around the eye.
"""


def document(review: str):
    return parse_import_document(FILE.format(review=review))


def import_text(review: str) -> Article:
    result = services.article_import(document=document(review), source_dir=None, comment="test")
    return Article.objects.get(pk=result.article.pk)


def test_import_names_an_existing_reviewer_and_round_trips():
    doctor = ReviewerFactory(name="Dr Amira Haddad", slug="amira-haddad")
    review = "reviewed_by: amira-haddad\nreviewed_at: 2026-04-03"
    article = import_text(review)
    assert article.health_content
    assert (article.reviewer, article.reviewed_at) == (doctor, date(2026, 4, 3))
    assert article.review_covers_text

    again = import_text(review)  # the same file again: the same article, still reviewed
    assert again.pk == article.pk and again.review_covers_text
    assert (again.reviewer, again.reviewed_at) == (doctor, date(2026, 4, 3))
    by_name = import_text("reviewed_by: dr amira haddad\nreviewed_at: 2026-04-04")
    assert (by_name.reviewer, by_name.reviewed_at) == (doctor, date(2026, 4, 4))


def test_import_makes_a_reviewer_given_with_credentials_and_never_changes_one():
    review = 'reviewed_by: {name: Dr Lee Park, credentials: "MD, GP"}\nreviewed_at: 2026-02-01'
    article = import_text(review)
    assert (article.reviewer.name, article.reviewer.credentials) == ("Dr Lee Park", "MD, GP")
    assert article.reviewer.slug == "dr-lee-park"
    changed = 'reviewed_by: {name: Dr Lee Park, credentials: "Quack"}\nreviewed_at: 2026-02-01'
    import_text(changed)
    assert AuthorProfile.objects.get().credentials == "MD, GP"


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ("reviewed_by: nobody-here\nreviewed_at: 2026-01-01", "names no author profile"),
        ("reviewed_by: writer\nreviewed_at: 2026-01-01", "has no credentials"),
        ("reviewed_at: 2026-01-01", "reviewed_at needs reviewed_by"),
        ("reviewed_by: writer", "reviewed_by needs reviewed_at"),
        ("reviewed_by: {name: Dr X}\nreviewed_at: 2026-01-01", "credentials are missing"),
        (
            f'reviewed_by: {{name: Dr X, credentials: "{"M" * 10_000}"}}\nreviewed_at: 2026-01-01',
            "longer than 200 characters",
        ),
        ("reviewed_by: {name: Dr X, bio: hi}\nreviewed_at: 2026-01-01", "must be an author"),
        ("reviewed_by: [a, b]\nreviewed_at: 2026-01-01", "must be an author"),
        ("reviewed_by: writer\nreviewed_at: soon", "is not a date"),
        ("reviewed_by: writer\nreviewed_at: 2999-01-01", "in the future"),
        ("health_content: maybe", "health_content must be true or false"),
    ],
)
def test_a_bad_review_in_an_import_is_refused_and_nothing_is_written(review, message):
    ReviewerFactory(name="Writer", slug="writer", credentials="")
    text = FILE.format(review=review)  # a second health_content: line is the one read
    with pytest.raises(ContentError, match=message):
        services.article_import(
            document=parse_import_document(text), source_dir=None, comment="test"
        )
    assert not Article.objects.exists()


def test_the_admin_import_page_answers_a_bad_reviewer_with_a_reason(editor_client):
    text = FILE.format(review="reviewed_by: nobody-here\nreviewed_at: 2026-01-01")
    response = editor_client.post(
        CHANGELIST + "import/", {"files": [SimpleUploadedFile("bad.md", text.encode())]}
    )
    assert response.status_code == 200
    (outcome,) = response.context["outcomes"]
    assert outcome.result == "refused" and "names no author profile" in outcome.detail
    assert not Article.objects.exists()


# -- demo ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["face-twitching-mystery", "when-your-eyelid-wont-stop-twitching"])
def test_the_demo_face_twitching_articles_are_reviewed_health_content(client, slug):
    call_command("load_demo", stdout=StringIO())
    article = Article.objects.get(slug=slug)
    assert article.health_content and article.review_covers_text
    assert article.reviewer.credentials.startswith("MD")
    assert article.reviewed_at <= article.published_at.date()
    reviewer = article.reviewer
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        f'Medically reviewed by <a class="byline__reviewer" href="{reviewer.get_absolute_url()}">'
        f"{reviewer.name}</a>, {reviewer.credentials} on"
    ) in html
