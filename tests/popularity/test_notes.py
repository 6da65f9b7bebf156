"""Owners' notes on days ("newsletter sent"): kept in the admin by site owners, shown under
their day in the dashboard's daily numbers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from popularity.analysis import Period
from popularity.models import DayNote
from popularity.notes import notes_in_period
from tests.factories import ArticleFactory, DailyViewFactory

pytestmark = pytest.mark.django_db

STATS = "/admin/statistics/"


def ago(days):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def notes():
    sleep, calm = ArticleFactory(title="Sleep"), ArticleFactory(title="Calm")
    DayNote.objects.create(day=ago(2), text="Newsletter sent")
    DayNote.objects.create(day=ago(2), text="Shared on Reddit", article=sleep)
    DayNote.objects.create(day=ago(1), text="Featured on the home page", article=calm)
    DayNote.objects.create(day=ago(40), text="Long ago")
    return sleep, calm


def test_the_notes_of_a_period_in_one_query(notes, django_assert_num_queries):
    sleep, _ = notes
    week = Period(start=ago(6), end=ago(0))
    with django_assert_num_queries(1):
        site = notes_in_period(period=week)
    assert site == {
        ago(2): ["Newsletter sent", "Sleep: Shared on Reddit"],
        ago(1): ["Calm: Featured on the home page"],
    }
    # An article's page: the site's notes and its own, not another article's.
    assert notes_in_period(period=week, article_id=sleep.pk) == {
        ago(2): ["Newsletter sent", "Shared on Reddit"]
    }


def test_the_daily_numbers_show_each_note_under_its_day(client, owner, notes):
    sleep, _ = notes
    DailyViewFactory(article=sleep, day=ago(2), views=40)
    client.force_login(owner)
    html = client.get(STATS + "?range=7").content.decode()
    row = html.split(f'data-day="{ago(2):%Y-%m-%d}"')[1].split("</tr>")[0]
    assert '<small class="stats-day-note">Newsletter sent</small>' in row
    assert "Sleep: Shared on Reddit" in row
    assert "Long ago" not in html
    article_page = client.get(STATS + f"articles/{sleep.pk}/?range=7").content.decode()
    assert "Shared on Reddit" in article_page and "Featured on the home page" not in article_page


def test_site_owners_keep_notes_in_the_admin_and_editors_cannot(client, owner, editor):
    add = reverse("admin:popularity_daynote_add")
    client.force_login(editor)
    assert client.get(add).status_code == 403
    client.force_login(owner)
    response = client.post(add, {"day": ago(3).isoformat(), "text": "Podcast interview"})
    assert response.status_code == 302
    note = DayNote.objects.get()
    assert (note.text, note.created_by) == ("Podcast interview", owner)
    # Bad input is a form error, never a 500.
    bad = client.post(add, {"day": "not a day", "text": "x" * 300})
    assert bad.status_code == 200 and {"day", "text"} <= set(bad.context["adminform"].form.errors)
