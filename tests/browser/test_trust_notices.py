"""The medical disclaimer and the "If you need help now" box as a reader meets them, and the
admin pages that edit them: legible and accessible on a phone and a desktop, light and dark."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from taggit.models import Tag

from articles.models import TagSettings, TrustSettings
from tests.browser.axe import serious_violations
from tests.browser.conftest import log_in
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def article():
    """A health article under a sensitive tag, with the owners' texts set."""
    notices = TrustSettings.load()
    notices.disclaimer = "General information, **not medical advice**. [More](https://example.org/)"
    notices.help_introduction = "You can talk to someone now."
    notices.save()
    notices.help_resources.create(
        position=1,
        name="Night line",
        description="Someone to talk to, all night.",
        phone="+44 116 123",
        url="https://help.example.org/",
    )
    notices.help_resources.create(
        position=2, name="Emergency services", description="Call your local emergency number."
    )
    TagSettings.objects.create(
        tag=Tag.objects.create(name="Anxiety", slug="anxiety"), sensitive=True
    )
    article = ArticleFactory(title="Calming a racing heart", health_content=True, tags=["Anxiety"])
    SectionFactory(article=article, position=1, heading="What happens")
    return article


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_both_boxes_pass_axe(article, new_page, screenshot, console_errors, scheme, width):
    page = new_page(width)
    page.emulate_media(color_scheme=scheme)
    page.goto(article.get_absolute_url())
    page.wait_for_timeout(400)  # colour transitions settle before contrast is measured
    help_box = page.get_by_role("complementary", name="If you need help now")
    disclaimer = page.get_by_role("complementary", name="Medical disclaimer")
    assert help_box.is_visible() and disclaimer.is_visible()
    assert help_box.get_by_role("link", name="Call +44 116 123").get_attribute("href") == (
        "tel:+44116123"
    )
    assert "not medical advice" in disclaimer.inner_text()
    # Help first, where the text ends; the disclaimer after it.
    assert help_box.bounding_box()["y"] < disclaimer.bounding_box()["y"]
    screenshot(page, f"trust-notices-{width}-{scheme}")
    assert serious_violations(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert console_errors == []


@pytest.mark.parametrize(("width", "scheme"), [(375, "light"), (1280, "dark")])
def test_the_admin_pages_pass_axe(article, new_page, screenshot, console_errors, width, scheme):
    call_command("setup_roles", stdout=StringIO())
    owner = UserFactory(username="olive", is_staff=True)
    owner.groups.add(Group.objects.get(name="Site owners"))
    page = new_page(width)
    page.emulate_media(color_scheme=scheme)
    log_in(page, "olive")
    tag = Tag.objects.get(name="Anxiety")
    for name, url in {
        "notices": "/admin/articles/trustsettings/",
        "tag": f"/admin/taggit/tag/{tag.pk}/change/",
        "tags": "/admin/taggit/tag/",
    }.items():
        page.goto(url)
        page.wait_for_timeout(400)
        screenshot(page, f"admin-{name}-{width}-{scheme}")
        assert serious_violations(page) == [], name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
    assert console_errors == []
