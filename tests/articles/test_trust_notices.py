"""The medical disclaimer on health articles and the "If you need help now" box on articles
with a sensitive tag: edited in the admin, sanitised, in the cached page and replaced at once."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from taggit.models import Tag

from articles.models import HelpResource, TagSettings, TrustSettings
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.support.nu import nu_errors

pytestmark = pytest.mark.django_db

TRUST_URL = "/admin/articles/trustsettings/"
TRUST_CHANGE_URL = f"{TRUST_URL}1/change/"
DISCLAIMER = "This article is general information, **not medical advice**."


def notices(*, disclaimer: str = DISCLAIMER, resources=None) -> TrustSettings:
    row = TrustSettings.load()
    row.disclaimer = disclaimer
    row.help_introduction = "You can talk to someone now."
    row.save()
    for position, resource in enumerate(resources or [], start=1):
        row.help_resources.create(position=position, **resource)
    return row


HELPLINE = {
    "name": "Night line",
    "description": "Someone to talk to, all night.",
    "phone": "+44 116 123",
    "url": "https://help.example.org/night",
}
EMERGENCY = {"name": "Emergency services", "description": "Call your local emergency number."}


def sensitive(name: str) -> Tag:
    tag, _ = Tag.objects.get_or_create(name=name, defaults={"slug": name.lower()})
    TagSettings.objects.update_or_create(tag=tag, defaults={"sensitive": True})
    return tag


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def aside(html: str, title_id: str) -> str:
    """The <aside> labelled by `title_id`, or "" when the page has none."""
    found = re.search(rf'<aside [^>]*aria-labelledby="{title_id}".*?</aside>', html, re.DOTALL)
    return found.group(0) if found else ""


def disclaimer_of(html: str) -> str:
    return aside(html, "disclaimer_title")


def help_box_of(html: str) -> str:
    return aside(html, "help_now_title")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


# --- On the article page ------------------------------------------------------------


class TestDisclaimer:
    def test_shown_on_health_articles_only(self, client):
        notices()
        health = ArticleFactory(health_content=True)
        other = ArticleFactory(health_content=False)
        shown = disclaimer_of(page(client, health))
        assert "Medical disclaimer" in shown
        assert "<strong>not medical advice</strong>" in shown
        assert disclaimer_of(page(client, other)) == ""

    def test_no_disclaimer_written_no_box(self, client):
        notices(disclaimer="")
        assert disclaimer_of(page(client, ArticleFactory(health_content=True))) == ""

    def test_the_owners_wording_is_the_only_disclaimer_on_any_page(self, client):
        notices(disclaimer="Ask your own doctor before you change a treatment.")
        health = page(client, ArticleFactory(health_content=True))
        assert "Ask your own doctor" in disclaimer_of(health)
        other = page(client, ArticleFactory(health_content=False))
        for html in (health, other, client.get("/").content.decode()):
            assert "medical advice" not in html  # no template's own wording beside it

    def test_nothing_set_up_yet_no_box_and_no_row_written(self, client):
        html = page(client, ArticleFactory(health_content=True, tags=["calm"]))
        assert disclaimer_of(html) == "" and help_box_of(html) == ""
        assert not TrustSettings.objects.exists()

    def test_markdown_passes_the_sites_sanitiser(self, client):
        notices(
            disclaimer=(
                "<script>alert(1)</script>Read [our policy](https://example.org/policy) "
                '[not this](javascript:alert(2)) <img src=x onerror="alert(3)">\n\n'
                "Second paragraph."
            )
        )
        shown = disclaimer_of(page(client, ArticleFactory(health_content=True)))
        assert "<script" not in shown and "javascript:" not in shown
        assert "onerror" not in shown and "<img" not in shown
        assert '<a href="https://example.org/policy" rel="noopener noreferrer">our policy</a>' in (
            shown
        )
        assert shown.count("<p>") == 2


class TestHelpBox:
    def test_shown_on_articles_with_a_sensitive_tag(self, client):
        notices(resources=[HELPLINE, EMERGENCY])
        sensitive("Anxiety")
        touched = ArticleFactory(tags=["Anxiety", "calm"])
        other = ArticleFactory(tags=["calm"])
        box = help_box_of(page(client, touched))
        assert "If you need help now" in box and "You can talk to someone now." in box
        assert box.index("Night line") < box.index("Emergency services")
        assert '<a class="notice__phone" href="tel:+44116123">Call +44 116 123</a>' in box
        assert '<a href="https://help.example.org/night" rel="noopener noreferrer">' in box
        assert "Call your local emergency number." in box
        assert help_box_of(page(client, other)) == ""

    def test_not_for_a_tag_marked_then_unmarked(self, client):
        notices(resources=[HELPLINE])
        tag = sensitive("Burnout")
        TagSettings.objects.filter(tag=tag).update(sensitive=False)
        assert help_box_of(page(client, ArticleFactory(tags=["Burnout"]))) == ""

    def test_no_resources_no_box(self, client):
        notices(resources=[])
        sensitive("Panic")
        assert help_box_of(page(client, ArticleFactory(tags=["Panic"]))) == ""

    def test_both_boxes_are_valid_html(self, client):
        notices(resources=[HELPLINE, EMERGENCY])
        sensitive("Anxiety")
        article = ArticleFactory(health_content=True, tags=["Anxiety"])
        SectionFactory(article=article, position=1)
        html = page(client, article)
        assert disclaimer_of(html) and help_box_of(html)
        assert nu_errors({"article": html})["article"] == []


class TestCostAndFreshness:
    def test_plain_article_costs_no_extra_query(self, client, django_assert_num_queries):
        notices(resources=[HELPLINE])
        sensitive("Anxiety")
        article = ArticleFactory(tags=["calm"])
        # As articles.test_views_site pins it: the article, version, sections, byline,
        # sources, tags, every tag's count of articles (kept for the pages after it),
        # related, previous/next, Popular Posts.
        with django_assert_num_queries(10):
            page(client, article)

    def test_notices_cost_one_query_per_content_version(self, client, django_assert_num_queries):
        notices(resources=[HELPLINE])
        sensitive("Anxiety")
        first = ArticleFactory(health_content=True, tags=["Anxiety"])
        second = ArticleFactory(health_content=True, tags=["Anxiety"])
        with django_assert_num_queries(11):  # the ten above, and the notices
            page(client, first)
        # The version, the notices, the tag counts and Popular Posts are kept: the article's
        # own seven.
        with django_assert_num_queries(7):
            page(client, second)
        with django_assert_num_queries(0):  # the page is kept whole
            page(client, first)

    def test_edits_replace_the_cached_pages_at_once(self, client, commit_callbacks):
        row = commit_callbacks(notices, resources=[HELPLINE])
        commit_callbacks(sensitive, "Anxiety")
        article = commit_callbacks(ArticleFactory, health_content=True, tags=["Anxiety"])
        assert "not medical advice" in page(client, article)

        row.disclaimer = "Reviewed wording."
        commit_callbacks(row.save)
        assert "Reviewed wording." in disclaimer_of(page(client, article))

        commit_callbacks(row.help_resources.create, position=2, **EMERGENCY)
        assert "Emergency services" in help_box_of(page(client, article))

        commit_callbacks(HelpResource.objects.get(name="Night line").delete)
        assert "Night line" not in page(client, article)

        settings_row = TagSettings.objects.get(tag__name="Anxiety")
        settings_row.sensitive = False
        commit_callbacks(settings_row.save)
        assert help_box_of(page(client, article)) == ""

    def test_nothing_changes_before_the_commit(self, client):
        notices(resources=[HELPLINE])
        article = ArticleFactory(health_content=True)
        page(client, article)
        TrustSettings.objects.filter(pk=1).update(disclaimer="Uncommitted")
        row = TrustSettings.load()
        row.save()  # in a test the transaction never commits: the version stays
        assert "Uncommitted" not in page(client, article)
        cache.clear()
        assert "Uncommitted" in page(client, article)


# --- In the admin -------------------------------------------------------------------


def trust_form(*, disclaimer=DISCLAIMER, resources=(), existing=()) -> dict:
    """The disclaimer page's POST, as the admin's form sends it."""
    data = {
        "disclaimer": disclaimer,
        "help_introduction": "Talk to someone now.",
        "help_resources-TOTAL_FORMS": str(len(existing) + len(resources)),
        "help_resources-INITIAL_FORMS": str(len(existing)),
        "help_resources-MIN_NUM_FORMS": "0",
        "help_resources-MAX_NUM_FORMS": "1000",
    }
    forms = [{"id": str(r.pk), "position": r.position, "name": r.name} for r in existing]
    forms += [{"id": "", "position": n, **r} for n, r in enumerate(resources, start=1)]
    for number, form in enumerate(forms):
        form = {"description": "", "phone": "", "url": "", "trust_settings": "1", **form}
        data.update({f"help_resources-{number}-{key}": value for key, value in form.items()})
    return data


class TestAdmin:
    def test_the_list_opens_the_one_page(self, owner_client):
        response = owner_client.get(TRUST_URL)
        assert response.status_code == 302 and response["Location"] == TRUST_CHANGE_URL
        html = owner_client.get(TRUST_CHANGE_URL).content.decode()
        assert "Medical disclaimer" in html and "Help resources" in html
        assert TrustSettings.objects.count() == 1
        # One row: nothing to add beside it, nor to delete.
        assert owner_client.get(f"{TRUST_URL}add/").status_code == 403
        assert owner_client.get(f"{TRUST_URL}1/delete/").status_code == 403

    def test_owner_edits_disclaimer_and_resources(
        self, owner_client, django_capture_on_commit_callbacks
    ):
        owner_client.get(TRUST_URL)
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(
                TRUST_CHANGE_URL, trust_form(resources=[HELPLINE, EMERGENCY])
            )
        assert response.status_code == 302
        row = TrustSettings.load()
        assert row.disclaimer == DISCLAIMER
        assert [r.name for r in row.help_resources.all()] == ["Night line", "Emergency services"]

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("url", "javascript:alert(1)", "Enter a valid URL."),
            ("url", "ftp://files.example.org/help", "Enter an http:// or https:// address."),
            ("phone", "call me maybe", "Enter a phone number"),
            ("phone", "tel:116123", "Enter a phone number"),
            ("name", "x" * 10_000, "Ensure this value has at most 120 characters"),
            ("description", "x" * 10_000, "Ensure this value has at most 300 characters"),
        ],
    )
    def test_bad_resources_are_form_errors(self, owner_client, field, value, message):
        owner_client.get(TRUST_URL)
        response = owner_client.post(
            TRUST_CHANGE_URL, trust_form(resources=[{**HELPLINE, field: value}])
        )
        assert response.status_code == 200
        errors = str(response.context["inline_admin_formsets"][0].formset.errors)
        assert message in errors
        assert not HelpResource.objects.exists()

    def test_a_10_kb_disclaimer_is_a_form_error(self, owner_client):
        owner_client.get(TRUST_URL)
        response = owner_client.post(TRUST_CHANGE_URL, trust_form(disclaimer="x" * 10_240))
        assert response.status_code == 200
        assert "at most 4000 characters" in str(response.context["adminform"].form.errors)
        assert TrustSettings.load().disclaimer == ""

    def test_editors_and_authors_cannot_open_it(self, client, editor, roles):
        for user in (editor, role_user("Authors")):
            client.force_login(user)
            assert client.get(TRUST_URL).status_code == 403
            assert client.get(TRUST_CHANGE_URL).status_code == 403

    def test_editor_marks_a_tag_sensitive(self, client, editor, django_capture_on_commit_callbacks):
        tag = Tag.objects.create(name="Panic", slug="panic")
        client.force_login(editor)
        url = f"/admin/taggit/tag/{tag.pk}/change/"
        html = client.get(url).content.decode()
        assert "Reader safety" in html
        data = {
            "name": "Panic",
            "slug": "panic",
            "settings-TOTAL_FORMS": "1",
            "settings-INITIAL_FORMS": "0",
            "settings-MIN_NUM_FORMS": "0",
            "settings-MAX_NUM_FORMS": "1",
            "settings-0-sensitive": "on",
            "settings-0-tag": str(tag.pk),
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        assert response.status_code == 302, response.context["errors"]
        assert TagSettings.objects.get(tag=tag).sensitive
        listing = client.get("/admin/taggit/tag/?sensitive=yes").content.decode()
        assert ">Panic<" in listing
        assert ">Panic<" not in client.get("/admin/taggit/tag/?sensitive=no").content.decode()


def role_user(group: str):
    user = UserFactory(username=f"in-{group.lower()}", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


# --- Demo content -------------------------------------------------------------------


def test_demo_sets_notices_and_keeps_the_owners_changes(commit_callbacks):
    commit_callbacks(call_command, "load_demo", stdout=StringIO())
    row = TrustSettings.load()
    assert "not medical advice" in row.disclaimer
    resources = list(row.help_resources.all())
    assert [r.name for r in resources][:2] == ["Emergency services", "Find a helpline"]
    assert all(r.url.startswith("https://") or not r.url for r in resources)
    marked = set(TagSettings.objects.filter(sensitive=True).values_list("tag__name", flat=True))
    assert {"Anxiety", "Burnout", "Stress"} <= marked

    row.disclaimer = "The owners' own words."
    row.save()
    TagSettings.objects.filter(tag__name="Stress").update(sensitive=False)
    call_command("load_demo", stdout=StringIO())
    assert TrustSettings.load().disclaimer == "The owners' own words."
    assert not TagSettings.objects.get(tag__name="Stress").sensitive
    assert TrustSettings.load().help_resources.count() == len(resources)
