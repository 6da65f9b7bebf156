"""Authors in a real browser: from an article's byline to the author's page, and the
editors' author profile pages, each with no serious or critical axe finding, on a phone
(dark) and a desktop (light); screenshots under test-artifacts/."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article, AuthorProfile
from tests.browser.axe import serious_violations
from tests.browser.conftest import PHONE_DARK_AND_DESKTOP_LIGHT, log_in
from tests.browser.test_reading import check

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "/articles/face-twitching-mystery/"


@pytest.fixture
def demo(settings):
    settings.SERVE_MEDIA = True  # the live server shows the photos, as the web server would
    call_command("load_demo", stdout=StringIO())


@PHONE_DARK_AND_DESKTOP_LIGHT
def test_a_reader_follows_the_byline_to_the_authors_page(
    new_page, screenshot, console_errors, demo, width, scheme
):
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto(ARTICLE)
    byline = page.locator(".byline")
    expect(byline).to_contain_text("Dr Elena Marsh, MD, FRCP, consultant neurologist and Maya")
    check(page, screenshot, f"authors-{width}-{scheme}-1-article")

    byline.get_by_role("link", name="Dr Elena Marsh").click()
    page.wait_for_url("**/authors/elena-marsh/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr Elena Marsh")
    portrait = page.get_by_role("img", name=re.compile("^Illustrated portrait of Dr Elena"))
    expect(portrait).to_be_visible()
    assert page.get_by_role("link", name="ORCID").get_attribute("href").startswith("https://")
    expect(page.get_by_role("link", name=re.compile("^The Face Twitching Mystery"))).to_be_visible()
    check(page, screenshot, f"authors-{width}-{scheme}-2-author")
    assert console_errors == []


@PHONE_DARK_AND_DESKTOP_LIGHT
def test_a_reader_checks_the_medical_reviewer(
    new_page, screenshot, console_errors, demo, width, scheme
):
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto(ARTICLE)
    page.locator(".byline__review").get_by_role("link", name="Dr Amira Haddad").click()
    page.wait_for_url("**/authors/amira-haddad/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr Amira Haddad")
    reviewed = page.locator("section", has=page.get_by_role("heading", name="Medically reviewed"))
    expect(reviewed.get_by_role("listitem").first).to_be_visible()
    item = reviewed.get_by_role("listitem").filter(has_text="The Face Twitching Mystery")
    expect(item).to_contain_text("Reviewed on 16 November 2026")
    expect(page.get_by_text("No published articles yet.")).to_have_count(0)
    check(page, screenshot, f"authors-{width}-{scheme}-3-reviewer")
    item.get_by_role("link").click()
    page.wait_for_url(f"**{ARTICLE}")
    assert console_errors == []


@PHONE_DARK_AND_DESKTOP_LIGHT
def test_a_reader_meets_the_people_behind_the_articles(
    new_page, screenshot, console_errors, demo, width, scheme
):
    page = new_page(width=width, height=860)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Writers and reviewers").click()
    page.wait_for_url("**/authors/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Writers and medical reviewers")
    reviewers = page.locator("section", has=page.get_by_role("heading", name="Medical reviewers"))
    reviewer = reviewers.get_by_role("listitem").filter(has_text="Dr Amira Haddad")
    expect(reviewer).to_contain_text("2 medical reviews")
    # No portrait of her: her initial in its place keeps the names in line.
    expect(reviewer.locator(".tile__initial")).to_have_text("A")
    writers = page.locator("section", has=page.get_by_role("heading", name="Writers", exact=True))
    writer = writers.get_by_role("listitem").filter(has_text="Dr Elena Marsh")
    expect(writer).to_contain_text("3 articles")
    expect(
        writer.get_by_role("img", name=re.compile("^Illustrated portrait of Dr Elena"))
    ).to_be_visible()
    left = [box["x"] for box in (r.locator("h3").bounding_box() for r in (reviewer, writer))]
    assert left[0] == left[1]
    check(page, screenshot, f"authors-{width}-{scheme}-4-index")

    reviewer.get_by_role("link", name="Dr Amira Haddad").click()
    page.wait_for_url("**/authors/amira-haddad/")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    breadcrumb.get_by_role("link", name="Writers and reviewers").click()
    page.wait_for_url("**/authors/")
    assert console_errors == []


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_editors_author_pages_pass_axe(new_page, screenshot, console_errors, demo, editor, dark):
    page = new_page(width=1280)
    if dark:
        page.emulate_media(color_scheme="dark")
    log_in(page)
    profile = AuthorProfile.objects.get(slug="elena-marsh")
    article = Article.objects.get(slug="face-twitching-mystery")
    pages = {
        "profiles": "/admin/articles/authorprofile/",
        "profile": f"/admin/articles/authorprofile/{profile.pk}/change/",
        "new-profile": "/admin/articles/authorprofile/add/",
        # The article form with its Authors rows (two, then one added by the button).
        "article": f"/admin/articles/article/{article.pk}/change/",
    }
    found = {}
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if name == "article":
            page.locator("#bylines-group").locator(".add-row a").click()
            assert (
                page.locator(
                    "#bylines-group tr.form-row:not(.empty-form) select[aria-label='Author']"
                ).count()
                == 3
            )
        screenshot(page, f"admin-authors-{name}{'-dark' if dark else ''}")
        found[name] = serious_violations(page)
    assert found == {name: [] for name in found}
    assert console_errors == []
