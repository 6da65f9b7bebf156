"""The weekly e-mail digest: its figures (the dashboard's), the command that sends it once a
week, and the owners' preview in the admin."""

import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from popularity.digest import last_week_start, week_digest
from popularity.models import DailySearch, SentDigest
from tests.factories import ArticleFactory, DailyOriginFactory, DailyViewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    return last_week_start()


@pytest.fixture
def readership(week):
    """Last week against the week before: Steady 50/50, Rising 30/10, New 5/0; Reddit first
    brought readers last week, Google before; one search found nothing; Old guide is stale."""
    before = week - timedelta(days=7)
    steady = ArticleFactory(title="Steady read")
    rising = ArticleFactory(title="Rising read")
    new = ArticleFactory(title="New read")
    old = ArticleFactory(title="Old guide", published_at=timezone.now() - timedelta(days=900))
    rows = [
        (steady, week + timedelta(days=2), 50, 40),
        (steady, before + timedelta(days=2), 50, 45),
        (rising, week, 20, 18),
        (rising, week + timedelta(days=6), 10, 9),
        (rising, before, 10, 10),
        (new, week + timedelta(days=3), 5, 5),
        (old, week + timedelta(days=1), 120, 100),
        (old, before - timedelta(days=20), 1, 1),  # views counted long before
    ]
    for article, day, views, readers in rows:
        DailyViewFactory(article=article, day=day, views=views, unique_readers=readers)
    DailyOriginFactory(article=steady, day=before, source="Google", views=3, unique_readers=3)
    DailyOriginFactory(article=steady, day=week, source="Google", views=4, unique_readers=4)
    DailyOriginFactory(article=rising, day=week, source="Reddit", views=9, unique_readers=9)
    DailySearch.objects.create(day=week + timedelta(days=4), query="grief at work", searches=4)
    DailySearch.objects.create(day=week, query="sleep", searches=9, results=2, opened=3)
    return {"steady": steady, "rising": rising, "new": new, "old": old}


def test_the_digest_reads_last_week_against_the_week_before(readership, week):
    digest = week_digest(week_start=week)
    assert (digest.week.start, digest.week.end) == (week, week + timedelta(days=6))
    assert (digest.views, digest.unique_readers) == (205, 172)
    assert (digest.previous_views, digest.previous_readers) == (60, 55)
    assert digest.views_change == "+241.7%"
    assert [row.title for row in digest.top] == [
        "Old guide",
        "Steady read",
        "Rising read",
        "New read",
    ]
    assert [(row.title, row.previous_views) for row in digest.risers] == [
        ("Old guide", 0),
        ("Rising read", 10),
        ("New read", 0),
    ]
    assert [row.value for row in digest.new_sources] == ["Reddit"]
    assert [(gap.query, gap.searches) for gap in digest.gaps] == [("grief at work", 4)]
    assert digest.refresh is not None and digest.refresh.title == "Old guide"


@pytest.mark.parametrize(
    ("zone", "monday"),
    [("UTC", date(2026, 11, 16)), ("Pacific/Auckland", date(2026, 11, 23))],
)
def test_last_week_is_monday_to_sunday_in_the_sites_time_zone(settings, monkeypatch, zone, monday):
    settings.TIME_ZONE = zone
    # Sunday 29 November, noon in London: already Monday 30 November in Auckland.
    sunday_noon = datetime(2026, 11, 29, 12, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: sunday_noon)
    assert last_week_start() == monday
    assert last_week_start(today=date(2026, 12, 6)) == date(2026, 11, 23)  # a Sunday
    assert last_week_start(today=date(2026, 11, 30)) == date(2026, 11, 23)  # a Monday


def test_a_site_with_no_views_yet_still_gets_a_digest(owner, week):
    digest_command()
    (message,) = mail.outbox
    assert message.subject.endswith(": 0 views")
    assert "No article was read this week." in message.body
    assert "No week before to compare with" in message.body


def test_a_week_with_no_week_before_counted_compares_with_nothing(week):
    DailyViewFactory(day=week + timedelta(days=1), views=3, unique_readers=3)
    digest = week_digest(week_start=week)
    assert (digest.views, digest.previous_views, digest.views_change) == (3, None, "—")
    assert digest.risers == []
    assert digest.refresh is None


def test_the_digest_has_the_dashboards_figures_for_the_same_week(client, owner, readership, week):
    client.force_login(owner)
    end = week + timedelta(days=6)
    dashboard = client.get(reverse("statistics:index"), {"start": week, "end": end}).context
    digest = week_digest(week_start=week)
    totals = dashboard["totals"]
    assert (digest.views, digest.unique_readers, digest.previous_views) == (
        totals["views"],
        totals["unique_readers"],
        totals["previous_views"],
    )
    assert digest.views_change == totals["change"]
    assert digest.top == dashboard["rows"][:5]
    assert digest.gaps == dashboard["gaps"][:5]


# --- The command ----------------------------------------------------------------------------


def digest_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("popularity_digest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_mails_the_site_owners_html_and_text(owner, editor, readership, week):
    UserFactory(username="gone", email="gone@example.org", is_active=False).groups.add(
        *owner.groups.all()
    )
    out, _ = digest_command()
    assert "sent to 1 address" in out
    (message,) = mail.outbox
    assert message.to == [owner.email]  # not the editor, not an inactive owner
    assert message.subject.startswith(f"Happy Inner Self, week of {week:%-d %B %Y}: 205 views")
    assert "Views:          205 (+241.7%; week before 60)" in message.body
    assert "1. Old guide: 120 views" in message.body and "Reddit" in message.body
    assert "&quot;" not in message.body and "“grief at work”" not in message.body
    (html, kind) = message.alternatives[0]
    assert kind == "text/html"
    assert html.startswith("<!doctype html>")
    assert 'data-digest="views">205<' in html and "grief at work" in html
    assert f"/admin/statistics/articles/{readership['old'].pk}/" in html
    assert SentDigest.objects.get().week_start == week


def test_the_command_sends_each_week_once(owner, readership, week):
    digest_command()
    out, _ = digest_command()
    assert "sent before, not again" in out
    assert len(mail.outbox) == 1
    assert SentDigest.objects.get().recipients == 1
    out, _ = digest_command("--week", str(week - timedelta(days=3)))  # another week
    assert len(mail.outbox) == 2 and SentDigest.objects.count() == 2


def test_recipients_from_the_setting_each_get_their_own_message(settings, owner, readership):
    settings.POPULARITY_DIGEST_RECIPIENTS = ["ana@example.org", "ben@example.org"]
    digest_command()
    assert [message.to for message in mail.outbox] == [["ana@example.org"], ["ben@example.org"]]


def test_a_failed_send_records_nothing_and_the_next_run_sends(monkeypatch, owner, readership):
    class Down:
        def send_messages(self, messages):
            raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr("popularity.digest.get_connection", lambda: Down())
    with pytest.raises(ConnectionRefusedError):
        digest_command()
    assert not SentDigest.objects.exists()
    monkeypatch.undo()
    digest_command()
    assert len(mail.outbox) == 1 and SentDigest.objects.count() == 1


def test_with_no_one_to_send_to_nothing_is_sent_or_recorded(readership):
    _, err = digest_command()
    assert "no one to send it to" in err
    assert mail.outbox == [] and not SentDigest.objects.exists()


def test_a_dry_run_prints_the_digest_and_sends_nothing(owner, readership):
    out, _ = digest_command("--dry-run")
    assert "Subject: Happy Inner Self, week of" in out and "1. Old guide" in out
    assert mail.outbox == [] and not SentDigest.objects.exists()


def test_a_week_that_has_not_ended_is_refused(owner):
    with pytest.raises(CommandError, match="has ended"):
        digest_command("--week", str(timezone.localdate()))


# --- The preview in the admin --------------------------------------------------------------


def test_the_preview_shows_the_digest_to_site_owners_only(client, owner, editor, readership, week):
    url = reverse("statistics:digest")
    assert client.get(url).status_code == 302  # to the admin's login
    client.force_login(editor)
    assert client.get(url).status_code == 403
    client.force_login(owner)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-digest="views">205<' in html and owner.email in html
    assert "Not yet" in html
    # The date box shows the week previewed (a date box reads ISO dates only).
    assert re.search(rf'<input type="date" name="week" value="{week}"', html)
    # Another week, chosen by any of its days; a bad date falls back to last week.
    earlier = client.get(url, {"week": str(week - timedelta(days=5))}).content.decode()
    assert f'data-week-start="{week - timedelta(days=7)}"' in earlier
    bad = client.get(url, {"week": "2999-01-01"})
    assert f'data-week-start="{week}"' in bad.content.decode()
    assert "has not happened yet" in bad.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-08", "1999-12-31"])
def test_a_week_before_2000_is_refused_not_a_crash(client, owner, readership, week, day):
    """The week of 1 January of year 1 has no week before it (and no 30 days before it
    for the refresh candidates): it was a 500."""
    client.force_login(owner)
    response = client.get(reverse("statistics:digest"), {"week": day})
    html = response.content.decode()
    assert response.status_code == 200
    assert "That date is too early: choose one from 1 January 2000 on." in html
    assert f'data-week-start="{week}"' in html


def test_the_command_refuses_a_week_before_2000(owner):
    with pytest.raises(CommandError, match="too early"):
        digest_command("--week", "0001-01-01", "--dry-run")


def test_the_preview_costs_a_fixed_number_of_queries(
    client, owner, readership, django_assert_num_queries
):
    client.force_login(owner)
    client.get(reverse("statistics:digest"))
    ArticleFactory.create_batch(3)
    # session, user and permissions (4), the digest (8: its refresh candidate also weighs
    # health reviews; its weeks' sums kept by the first preview, see closed_days.py), its
    # recipients, whether it was sent
    with django_assert_num_queries(14):
        client.get(reverse("statistics:digest"))


def test_an_owner_sends_a_test_to_themselves_without_recording_the_week(
    client, owner, editor, readership, week
):
    url = reverse("statistics:digest")
    client.force_login(editor)
    assert client.post(url, {"week": str(week)}).status_code == 403
    client.force_login(owner)
    response = client.post(url, {"week": str(week)})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [owner.email] and message.subject.startswith("[Test] ")
    assert not SentDigest.objects.exists()
