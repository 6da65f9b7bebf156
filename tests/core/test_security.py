"""The Content Security Policy: strict on public pages, inline styles only in the admin."""

import pytest
from django.conf import settings


def directives(response) -> dict[str, str]:
    csp = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())


@pytest.mark.django_db
def test_public_pages_allow_no_inline_style_or_script(client):
    policy = directives(client.get("/"))
    assert policy["style-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]


@pytest.mark.django_db
def test_the_admin_editor_may_set_inline_styles_but_never_scripts(client):
    policy = directives(client.get(f"/{settings.ADMIN_URL}login/"))
    assert "'unsafe-inline'" in policy["style-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
