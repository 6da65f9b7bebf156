"""Signed, expiring preview links, the page that makes them, and preview widths in the admin."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from articles.preview_links import preview_link_token
from tests.articles.admin_data import change_url, preview_url
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    article = ArticleFactory(draft=True, title="Not yet out", slug="not-yet-out")
    SectionFactory(article=article, position=1, heading="Opening")
    return article


def link(article, lifetime=timedelta(days=1)) -> str:
    return reverse(
        "articles:preview-link", args=[preview_link_token(article=article, lifetime=lifetime)]
    )


def test_a_preview_link_shows_the_draft_to_anyone_and_keeps_it_out_of_search(client, draft):
    response = client.get(link(draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not yet out" in page and "Preview" in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    # The reader's page for it is still a 404.
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_preview_link_is_not_counted_as_a_view(client, draft):
    from django.apps import apps

    if not apps.is_installed("popularity"):
        pytest.skip("no view counting installed")
    from popularity.models import DailyView

    client.get(link(draft), HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")
    assert not DailyView.objects.exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
        lambda token: "x" + token,  # payload
        lambda token: token.split(":")[0],  # no signature
        lambda token: "nonsense",
        lambda token: "a" * 500,
    ],
)
def test_a_tampered_link_is_a_404(client, draft, mangle):
    token = preview_link_token(article=draft, lifetime=timedelta(days=1))
    url = reverse("articles:preview-link", args=[mangle(token)])
    assert client.get(url).status_code == 404


def test_a_link_stops_working_when_its_time_is_up(client, draft):
    url = link(draft, lifetime=timedelta(hours=1))
    assert client.get(url).status_code == 200
    later = time.time() + 60 * 60 + 5
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.get(url).status_code == 404
    # A link for a week still works then.
    week = link(draft, lifetime=timedelta(days=7))
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.get(week).status_code == 200


def test_withdrawing_the_links_ends_every_one_given_out(editor_client, client, draft):
    url = link(draft)
    share = reverse("admin:articles_article_share", args=[draft.pk])
    response = editor_client.post(share, {"_revoke": "1"}, follow=True)
    assert "now answers 404" in response.content.decode()
    assert client.get(url).status_code == 404
    draft.refresh_from_db()
    assert client.get(link(draft)).status_code == 200  # a new link works


def test_the_share_page_makes_a_link_of_the_chosen_lifetime(editor_client, client, draft):
    share = reverse("admin:articles_article_share", args=[draft.pk])
    assert f'href="{share}"' in editor_client.get(change_url(draft)).content.decode()
    page = editor_client.get(share)
    assert page.status_code == 200 and 'value="7d"' in page.content.decode()
    response = editor_client.post(share, {"lifetime": "7d"})
    made = response.context["link"]
    assert made.startswith("http://testserver/preview/")
    assert client.get(made.removeprefix("http://testserver")).status_code == 200

    # A lifetime not offered is a form error, never a 500.
    response = editor_client.post(share, {"lifetime": "forever"})
    assert response.status_code == 200 and response.context["link"] is None


def test_the_share_page_of_a_missing_article_is_a_404(editor_client):
    assert editor_client.get("/admin/articles/article/999999/share/").status_code == 404
    assert editor_client.get("/admin/articles/article/999999/preview/widths/").status_code == 404


def test_preview_widths_frame_the_preview_at_phone_and_desktop(editor_client, draft):
    widths = reverse("admin:articles_article_preview_widths", args=[draft.pk])
    page = editor_client.get(widths).content.decode()
    assert f'src="{preview_url(draft)}"' in page and "preview-frame-phone" in page
    assert "preview-frame-desktop" in editor_client.get(widths + "?width=desktop").content.decode()
    assert "preview-frame-phone" in editor_client.get(widths + "?width=<b>").content.decode()

    # The framed preview allows this site (and only it) to frame it.
    framed = editor_client.get(preview_url(draft))
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
