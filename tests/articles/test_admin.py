import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles.models import Article, Section
from tests import pictures
from tests.articles.admin_data import ADD_URL, article_data, change_url
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.support.accounts import signed_in_as

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


def preview_url(article) -> str:
    return reverse("admin:articles_article_preview", args=[article.pk])


def three_sections() -> list[dict]:
    return [
        {"heading": "Why breath matters", "body": "<p>It is <strong>always</strong> there.</p>"},
        {"heading": "Box breathing", "level": "3", "body": "<p>In 4, hold 4, out 4.</p>"},
        {
            "heading": "Making it a habit",
            "body": '<p>Tie it to the kettle.</p><script>alert("x")</script>'
            '<p><a href="javascript:alert(1)">bad link</a></p>',
        },
    ]


def saved(response) -> Article:
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Article.objects.get()


# -- writing ---------------------------------------------------------------------------


def test_editor_creates_an_article_with_three_sections_and_tags(editor_client, editor):
    ArticleFactory(tags=["Stress"])  # an existing tag is reused whatever its case
    response = editor_client.post(
        ADD_URL,
        article_data(
            sections=three_sections(),
            tags=["stress", "breathing", "Breathing "],
            author=str(editor.pk),
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="breathing-through-the-day")
    assert article.author == editor and article.status == "draft"
    assert sorted(article.tags.names()) == ["Stress", "breathing"]
    sections = list(article.sections.order_by("position"))
    assert [(s.position, s.heading, s.level) for s in sections] == [
        (1, "Why breath matters", 2),
        (2, "Box breathing", 3),
        (3, "Making it a habit", 2),
    ]
    assert [s.anchor for s in sections] == [
        "why-breath-matters",
        "box-breathing",
        "making-it-a-habit",
    ]
    assert sections[0].body == "<p>It is <strong>always</strong> there.</p>"
    assert "<script" not in sections[2].body and "javascript:" not in sections[2].body
    # Every admin save keeps a revision with who made it.
    version = Version.objects.get_for_object(article).get()
    assert version.revision.user == editor


def test_add_form_prefills_the_slug_and_shows_the_tools_editors_need(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert "django-admin-prepopulated-fields-constants" in html and '"id_slug"' in html
    assert 'data-counter-target="160"' in html  # the standfirst counter
    assert "data-django-prose-editor-configurable" in html  # the rich-text body
    assert 'data-ajax--url="/admin/articles/article/tags/autocomplete/"' in html
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html


def test_tag_autocomplete_offers_existing_tags_most_used_first(editor_client):
    ArticleFactory(tags=["sleep", "stress"])
    ArticleFactory(tags=["stress"])
    ArticleFactory(tags=["kindness"])
    response = editor_client.get(CHANGELIST + "tags/autocomplete/", {"term": "s"})
    assert [r["id"] for r in response.json()["results"]] == ["stress", "kindness", "sleep"]


def test_tag_autocomplete_is_for_staff_only(client):
    response = client.get(CHANGELIST + "tags/autocomplete/", {"term": "s"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_first_section_must_be_a_heading_not_a_subheading(editor_client):
    response = editor_client.post(ADD_URL, article_data(sections=[{"heading": "A", "level": "3"}]))
    assert "The first section must be a heading (H2)" in response.content.decode()
    assert not Article.objects.exists()


def test_untouched_empty_section_forms_are_ignored(editor_client):
    data = article_data(sections=[{"heading": "Only one"}, {"heading": "", "body": "<p></p>"}])
    saved(editor_client.post(ADD_URL, data))
    assert Section.objects.count() == 1


# -- reordering --------------------------------------------------------------------------


@pytest.fixture
def article_with_sections(editor):
    article = ArticleFactory(draft=True, author=editor)
    for position, heading in enumerate(["First", "Second", "Third"], start=1):
        SectionFactory(article=article, position=position, heading=heading, anchor="")
    return article


def headings(article) -> list[tuple[int, str]]:
    return list(article.sections.order_by("position").values_list("position", "heading"))


def test_sections_reorder_by_their_position_numbers(editor_client, article_with_sections):
    article = article_with_sections
    first, second, third = article.sections.order_by("position")
    data = article_data(
        title=article.title,
        slug=article.slug,
        existing=[(first, {"position": "3"}), (second, {"position": "1"}), third],
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    # Ties (3 and 3) keep the order on the page; numbers come out 1, 2, 3 again.
    assert headings(article) == [(1, "Second"), (2, "First"), (3, "Third")]


def test_deleting_and_adding_sections_renumbers_cleanly(editor_client, article_with_sections):
    article = article_with_sections
    first, second, third = article.sections.order_by("position")
    data = article_data(
        title=article.title,
        slug=article.slug,
        existing=[first, (second, {"DELETE": "on"}), third],
        sections=[{"heading": "Fourth, added at the end"}, {"heading": "Zeroth", "position": "1"}],
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    assert headings(article) == [
        (1, "First"),
        (2, "Zeroth"),
        (3, "Third"),
        (4, "Fourth, added at the end"),
    ]


# -- cover images ------------------------------------------------------------------------


def test_cover_upload_is_stored_upright_and_without_location(editor_client, media_files):
    upload = SimpleUploadedFile("holiday.jpg", pictures.jpeg_from_phone(40, 20), "image/jpeg")
    data = article_data(cover=upload, cover_alt="A calm sea", sections=[{"heading": "A"}])
    article = saved(editor_client.post(ADD_URL, data))
    assert (article.cover_width, article.cover_height) == (20, 40)
    assert media_files() == [article.cover.name]
    with article.cover.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
    assert image.size == (20, 40) and len(image.getexif()) == 0


def test_replacing_and_clearing_a_cover_removes_the_old_files(
    editor_client, media_files, django_capture_on_commit_callbacks
):
    first = SimpleUploadedFile("first.png", pictures.image_bytes("PNG"))
    data = article_data(cover=first, cover_alt="Green", sections=[{"heading": "A"}])
    article = saved(editor_client.post(ADD_URL, data))
    old_name = article.cover.name
    section = article.sections.get()

    second = SimpleUploadedFile("second.png", pictures.image_bytes("PNG", size=(30, 30)))
    data = article_data(cover=second, cover_alt="Green", existing=[section])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(article), data)
    article.refresh_from_db()
    assert article.cover.name != old_name and media_files() == [article.cover.name]
    old_stem = old_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert not [f for f in media_files(renditions=True) if f"/{old_stem}-" in f]

    data = article_data(**{"cover-clear": "on"}, cover_alt="", existing=[section])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(article), data)
    article.refresh_from_db()
    assert not article.cover and media_files(renditions=True) == []


def test_deleting_an_article_removes_its_cover_file(
    client, owner, media_files, django_capture_on_commit_callbacks
):
    article = ArticleFactory(cover_alt="x")
    article.cover.save("c.png", ContentFile(pictures.image_bytes("PNG")))
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Article.objects.exists()
    assert media_files() == []


# -- slug stability --------------------------------------------------------------------------


def test_renaming_a_published_article_keeps_its_old_address_working(editor_client, client):
    article = ArticleFactory(slug="kept")
    section = SectionFactory(article=article)
    data = article_data(
        title=article.title,
        slug="changed",
        status="published",
        published_at=article.published_at,
        existing=[section],
    )
    response = editor_client.post(change_url(article), data, follow=True)
    assert "/articles/kept/ now redirects here." in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "changed"
    old = client.get("/articles/kept/")
    assert old.status_code == 301 and old["Location"] == "/articles/changed/"

    # Renamed again: both former addresses go straight to the page, with no chain.
    data["slug"] = "changed-again"
    editor_client.post(change_url(article), data)
    for former in ("kept", "changed"):
        assert client.get(f"/articles/{former}/")["Location"] == "/articles/changed-again/"


def test_a_draft_may_change_its_address(editor_client):
    article = ArticleFactory(draft=True, slug="first-idea")
    data = article_data(
        title=article.title, slug="better-idea", existing=[SectionFactory(article=article)]
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.slug == "better-idea"


# -- preview, schedule, publish -----------------------------------------------------------------


def test_editor_previews_a_draft_with_the_public_template(editor_client, article_with_sections):
    article = article_with_sections
    response = editor_client.get(preview_url(article))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: readers cannot see this article yet." in html
    assert f'<h1 id="article_title">{article.title}</h1>' in html
    assert '<h2 id="first">First</h2>' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert response.resolver_match.view_name == "admin:articles_article_preview"
    assert "read-depth.js" not in html  # a preview is never measured
    # The public address of the draft stays closed.
    assert editor_client.get(article.get_absolute_url()).status_code == 404


def test_the_change_form_links_to_the_preview(editor_client, article_with_sections):
    html = editor_client.get(change_url(article_with_sections)).content.decode()
    assert f'href="{preview_url(article_with_sections)}"' in html
    assert 'name="_saveandpreview"' in html


def test_save_and_preview_goes_to_the_preview(editor_client):
    data = article_data(sections=[{"heading": "A"}], _saveandpreview="Save and preview")
    response = editor_client.post(ADD_URL, data)
    assert response["Location"] == preview_url(Article.objects.get())


def test_anonymous_visitors_are_sent_to_login_not_the_draft(client):
    article = ArticleFactory(draft=True, title="Secret draft")
    response = client.get(preview_url(article))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get(article.get_absolute_url()).status_code == 404


def test_logged_in_readers_who_are_not_staff_never_see_the_draft(client):
    client.force_login(UserFactory())
    article = ArticleFactory(draft=True)
    response = client.get(preview_url(article))
    assert response.status_code == 302 and "Secret" not in response.content.decode()


def test_staff_without_article_rights_get_404(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(preview_url(ArticleFactory(draft=True))).status_code == 404


def test_preview_query_count_does_not_grow_with_sections(
    editor_client, article_with_sections, django_assert_max_num_queries
):
    editor_client.get(preview_url(article_with_sections))  # warm the session and permissions
    with django_assert_max_num_queries(8) as first:
        editor_client.get(preview_url(article_with_sections))
    for position in range(4, 12):
        SectionFactory(article=article_with_sections, position=position)
    with django_assert_max_num_queries(len(first.captured_queries)):
        editor_client.get(preview_url(article_with_sections))


def test_editor_schedules_an_article_that_appears_by_itself(editor_client):
    when = timezone.now() + timedelta(days=2)
    data = article_data(status="published", published_at=when, sections=[{"heading": "A"}])
    response = editor_client.post(ADD_URL, data, follow=True)
    article = Article.objects.get()
    assert article.is_scheduled
    assert "is scheduled: readers will see it from" in response.content.decode()
    assert editor_client.get(article.get_absolute_url()).status_code == 404
    listing = editor_client.get(CHANGELIST).content.decode()
    assert 'article-status-scheduled">Scheduled<' in listing
    # No cron: once the time has come, the same row is public.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert editor_client.get(article.get_absolute_url()).status_code == 200


def test_publishing_without_a_date_publishes_now(editor_client):
    data = article_data(status="published", sections=[{"heading": "A"}])
    article = saved(editor_client.post(ADD_URL, data))
    assert article.is_public
    assert editor_client.get(article.get_absolute_url()).status_code == 200


# -- the change list ---------------------------------------------------------------------------


def test_change_list_shows_each_state_and_links(editor_client):
    draft = ArticleFactory(draft=True, title="A draft")
    ArticleFactory(scheduled=True, title="Later")
    live = ArticleFactory(title="Live one")
    html = editor_client.get(CHANGELIST).content.decode()
    for state in ("Draft", "Scheduled", "Published"):
        assert f">{state}</span>" in html
    assert f'href="{live.get_absolute_url()}">View</a>' in html
    assert f'href="{preview_url(draft)}">Preview</a>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "draft"}, ["A draft"]),
        ({"state": "scheduled"}, ["Later"]),
        ({"state": "published"}, ["Live one"]),
        ({"tag": "sleep"}, ["Live one"]),
        ({"featured__exact": "1"}, ["Later"]),
        ({"q": "sleep"}, ["Live one"]),  # a tag name
        ({"q": "gentle summary"}, ["A draft", "Later", "Live one"]),  # the standfirst
        ({"q": "later"}, ["Later"]),
        ({"o": "1"}, ["A draft", "Later", "Live one"]),  # sorted by title
    ],
)
def test_change_list_filters_and_search(editor_client, query, expected):
    ArticleFactory(draft=True, title="A draft")
    ArticleFactory(scheduled=True, title="Later", featured=True)
    ArticleFactory(title="Live one", tags=["sleep"])
    response = editor_client.get(CHANGELIST, query)
    assert [a.title for a in response.context["cl"].result_list] == expected


def test_change_list_query_count_does_not_grow(editor_client, django_assert_num_queries):
    for _ in range(3):
        ArticleFactory(tags=["stress", "sleep"])
    # session, user, groups' permissions, filters' choices, count, page, tags
    with django_assert_num_queries(CHANGELIST_QUERIES):
        editor_client.get(CHANGELIST)
    for _ in range(6):
        ArticleFactory(tags=["kindness"], author=UserFactory())
    with django_assert_num_queries(CHANGELIST_QUERIES):
        editor_client.get(CHANGELIST)


CHANGELIST_QUERIES = 12


# -- bulk actions ----------------------------------------------------------------------------


def run_action(client, action: str, articles) -> str:
    data = {"action": action, "_selected_action": [a.pk for a in articles]}
    return client.post(CHANGELIST, data, follow=True).content.decode()


def test_bulk_publish_unpublish_and_feature(editor_client):
    draft = ArticleFactory(draft=True)
    later = ArticleFactory(draft=True, published_at=timezone.now() + timedelta(days=1))
    html = run_action(editor_client, "publish_selected", [draft, later])
    assert "1 article(s) published, 1 scheduled for their publication time." in html
    draft.refresh_from_db(), later.refresh_from_db()
    assert draft.is_public and later.is_scheduled
    assert Version.objects.get_for_object(draft).first().revision.get_comment() == "Published."

    run_action(editor_client, "feature_selected", [draft])
    draft.refresh_from_db()
    assert draft.featured
    run_action(editor_client, "unfeature_selected", [draft])
    run_action(editor_client, "unpublish_selected", [draft, later])
    draft.refresh_from_db(), later.refresh_from_db()
    assert not draft.featured
    assert draft.status == later.status == "draft"


# -- what editors may not do -------------------------------------------------------------------


def test_editors_cannot_delete_published_articles(editor_client):
    article = ArticleFactory()
    response = editor_client.get(f"/admin/articles/article/{article.pk}/delete/")
    assert response.status_code == 403
    html = run_action(editor_client, "delete_selected", [article, ArticleFactory(draft=True)])
    assert "Published articles can only be deleted by a site owner" in html
    assert Article.objects.count() == 2


def test_editors_can_delete_drafts(editor_client):
    article = ArticleFactory(draft=True)
    response = editor_client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Article.objects.exists()


def test_site_owners_can_delete_published_articles(client, owner):
    client.force_login(owner)
    article = ArticleFactory()
    data = {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"}
    client.post(CHANGELIST, data)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/auth/group/",
        "/admin/axes/accessattempt/",
    ],
)
def test_editors_cannot_reach_user_management(editor_client, editor, url):
    assert editor_client.get(url).status_code == 403
    assert editor_client.get(f"/admin/auth/user/{editor.pk}/change/").status_code == 403


def test_the_admin_index_shows_editors_only_their_work(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert "/admin/articles/article/" in html and "/admin/taggit/tag/" in html
    assert "/admin/auth/" not in html


# -- history: compare and restore ---------------------------------------------------------------


def test_history_compares_and_restores_an_earlier_version(editor_client, editor):
    data = article_data(sections=[{"heading": "Original heading"}], tags=["calm"])
    article = saved(editor_client.post(ADD_URL, data))
    section = article.sections.get()
    data = article_data(
        title="A better title",
        tags=["focus"],
        existing=[(section, {"heading": "Rewritten heading"})],
        sections=[{"heading": "An added section"}],
    )
    assert editor_client.post(change_url(article), data).status_code == 302

    html = editor_client.get(change_url(article)).content.decode()
    assert "Changed Title and Tags." in html and "eddie" in html  # who changed what, on the form

    first, second = Version.objects.get_for_object(article).order_by("pk")
    compare = editor_client.get(
        f"/admin/articles/article/{article.pk}/history/compare/",
        {"version_id1": first.pk, "version_id2": second.pk},
    ).content.decode()
    assert "A better title" in compare and "Breathing through the day" in compare
    assert "Rewritten heading" in compare and "search vector" not in compare

    revision_url = f"/admin/articles/article/{article.pk}/history/{first.pk}/"
    form_page = editor_client.get(revision_url).content.decode()
    # The form comes filled with the earlier version; saving it restores that version.
    assert 'value="Breathing through the day"' in form_page
    assert 'value="Original heading"' in form_page
    assert '<option value="calm" selected>' in form_page
    assert 'value="An added section"' not in form_page
    assert Article.objects.get().title == "A better title"  # looking changed nothing
    restore = article_data(tags=["calm"], existing=[(section, {"heading": "Original heading"})])
    assert editor_client.post(revision_url, restore).status_code == 302
    article.refresh_from_db()
    assert article.title == "Breathing through the day"
    assert list(article.sections.values_list("heading", flat=True)) == ["Original heading"]
    assert list(article.tags.names()) == ["calm"]


# -- Markdown import ---------------------------------------------------------------------------

GOOD_MD = """---
title: Slow Breathing
standfirst: Breathe out for longer than you breathe in.
tags: [breathing]
cover: covers/calm.jpg
cover_alt: A calm blue gradient
---

## Why it works

Long exhales calm the nervous system.
"""
BAD_MD = """---
title: Broken
standfirst: Oops.
---

Text before any heading.
"""


def upload(name: str, content) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def test_import_page_reports_each_file(editor_client, editor, media_files):
    files = [
        upload("slow.md", GOOD_MD),
        upload("broken.md", BAD_MD),
        upload("latin1.md", "---\ntitle: caf\xe9\n".encode("latin-1")),
        upload("calm.jpg", pictures.jpeg_from_phone()),
        upload("unused.png", pictures.image_bytes("PNG")),
    ]
    response = editor_client.post(CHANGELIST + "import/", {"files": files})
    outcomes = {o.file: (o.result, o.detail) for o in response.context["outcomes"]}
    assert outcomes == {
        "slow.md": ("created", "slow-breathing"),
        "broken.md": ("refused", "line 6: text before the first ## heading"),
        "latin1.md": ("refused", "the file is not UTF-8 text"),
        "unused.png": ("ignored", "no Markdown file names it as its cover"),
    }
    article = Article.objects.get()
    assert article.author == editor and article.tags.names()[0] == "breathing"
    with article.cover.open("rb") as stored:  # the cover went through the same cleaning
        assert len(Image.open(io.BytesIO(stored.read())).getexif()) == 0
    assert media_files() == [article.cover.name]
    assert Version.objects.get_for_object(article).get().revision.user == editor

    again = editor_client.post(CHANGELIST + "import/", {"files": [upload("slow.md", GOOD_MD)]})
    result, reason = again.context["outcomes"][0].result, again.context["outcomes"][0].detail
    assert result == "refused" and "calm.jpg was not uploaded" in reason

    edited = GOOD_MD.replace("cover: covers/calm.jpg\n", "").replace(
        "cover_alt: A calm blue gradient\n", ""
    )
    again = editor_client.post(CHANGELIST + "import/", {"files": [upload("slow.md", edited)]})
    assert again.context["outcomes"][0].result == "updated"
    assert Article.objects.count() == 1


def test_import_page_refuses_a_bad_cover_with_the_reason(editor_client):
    files = [upload("slow.md", GOOD_MD), upload("calm.jpg", pictures.SVG)]
    response = editor_client.post(CHANGELIST + "import/", {"files": files})
    outcome = response.context["outcomes"][0]
    assert outcome.result == "refused" and "SVG images are not accepted" in outcome.detail
    assert not Article.objects.exists()


def test_import_page_is_linked_from_the_list_and_needs_a_file(editor_client):
    assert (
        'href="/admin/articles/article/import/"' in editor_client.get(CHANGELIST).content.decode()
    )
    response = editor_client.post(CHANGELIST + "import/", {})
    assert response.status_code == 200 and response.context["form"].errors["files"]


# -- login protection ----------------------------------------------------------------------------


def login(client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_repeated_wrong_passwords_lock_the_login_out(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "eddie", "wrong")
        assert response.status_code == 200 and "Please enter the correct username" in (
            response.content.decode()
        )
    locked = login(client, "eddie", "wrong")
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "paused for 15 minutes." in " ".join(locked.content.decode().split())  # as read
    # Even the right password is refused until the cool-off has passed.
    assert login(client, "eddie", "correct horse battery").status_code == 429
    assert signed_in_as(client) is None


def test_lockout_does_not_tell_whether_an_account_exists(client, editor, settings):
    responses = {}
    for username in ("eddie", "nobody-by-this-name"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            responses[username] = login(client, username, "wrong")
    known, unknown = responses["eddie"], responses["nobody-by-this-name"]
    assert known.status_code == unknown.status_code == 429
    assert known.content.decode() == unknown.content.decode()
    assert "eddie" not in known.content.decode()


def test_a_correct_password_before_the_limit_logs_in_and_resets(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "eddie", "wrong")
    assert login(client, "eddie", "correct horse battery").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "eddie", "wrong").status_code == 200


def test_saving_without_touching_a_section_leaves_it_alone(editor_client, article_with_sections):
    article = article_with_sections
    first = article.sections.order_by("position").first()
    first.body = "<p>One.</p>\n<ul>\n<li>Two</li>\n</ul>"
    first.save()
    # Browsers send textarea line breaks as CRLF; that is not an edit.
    sections = [(s, {"body": s.body.replace("\n", "\r\n")}) for s in article.sections.all()]
    data = article_data(
        title="Only the title changed",
        slug=article.slug,
        standfirst=article.standfirst,
        author=str(article.author_id),
        existing=sections,
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    first.refresh_from_db()
    assert first.body == "<p>One.</p>\n<ul>\n<li>Two</li>\n</ul>"
    comment = Version.objects.get_for_object(article).first().revision.get_comment()
    assert comment == "Changed Title."


def test_change_form_query_count_does_not_grow_with_sections(
    editor_client, article_with_sections, django_assert_num_queries
):
    article = article_with_sections
    article.tags.add("calm", "sleep")
    editor_client.get(change_url(article))  # fills the content-type cache
    # session, user, permissions, article, tags, sections, author choices, revisions, ...
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        editor_client.get(change_url(article))
    for position in range(4, 12):
        SectionFactory(article=article, position=position)
    article.tags.add("kindness")
    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        editor_client.get(change_url(article))


CHANGE_FORM_QUERIES = 13


def test_a_cover_whose_file_is_gone_is_cleared_with_a_warning(editor_client):
    # What restoring an old revision gives once that revision's cover file was replaced.
    article = ArticleFactory(
        draft=True,
        cover="covers/2020/01/gone.jpg",
        cover_alt="Gone",
        cover_width=800,
        cover_height=600,
    )
    data = article_data(
        title=article.title, cover_alt="Gone", existing=[SectionFactory(article=article)]
    )
    response = editor_client.post(change_url(article), data, follow=True)
    article.refresh_from_db()
    assert not article.cover
    assert "The cover image of that version no longer exists" in response.content.decode()
