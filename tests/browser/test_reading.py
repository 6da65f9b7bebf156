from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_opens_the_demo_article_from_home(new_page, screenshot, console_errors):
    call_command("load_demo", stdout=StringIO())
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="The Face Twitching Mystery").first.click()
    page.wait_for_url("**/articles/face-twitching-mystery/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("The Face Twitching")
    assert page.locator("h2#effective-stress-relief-techniques").count() == 0
    assert page.locator("h3#effective-stress-relief-techniques").is_visible()
    assert page.locator(".prose section").count() == 18
    screenshot(page, "foundation-article")
    assert console_errors == []
