"""The read-depth endpoint: a kept report, and every doubtful one refused without a write."""

import json
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from popularity.counting.salts import salts_rotate
from popularity.engaged import BUCKET_EDGES, ENGAGED_CAP_SECONDS, bucket_of
from popularity.models import (
    EngagedTimeDay,
    ReadDepthDay,
    ReadReportSeen,
    SectionReach,
    TagEngagedTimeDay,
    TagReadDepthDay,
)
from popularity.tokens import read_token_make
from tests.factories import ArticleFactory, SectionFactory, UserFactory

from .conftest import BROWSER, OTHER_BROWSER

pytestmark = pytest.mark.django_db

URL = "/popularity/read-depth/"


@pytest.fixture
def article():
    article = ArticleFactory(title="Breathing")
    for position, heading in enumerate(["Start", "Middle", "Nested", "Late", "End"], start=1):
        # "Nested" is a subheading: it belongs to the <section> of "Middle".
        SectionFactory(
            article=article, position=position, heading=heading, level=3 if position == 3 else 2
        )
    return article


@pytest.fixture
def report(client):
    def post(data, *, ip="198.51.100.7", agent=BROWSER, as_json=False, **headers):
        if as_json:
            return client.post(
                URL,
                json.dumps(data),
                content_type="application/json",
                HTTP_USER_AGENT=agent,
                REMOTE_ADDR=ip,
                **headers,
            )
        # What navigator.sendBeacon sends for URLSearchParams.
        return client.post(
            URL,
            urlencode(data),
            content_type="application/x-www-form-urlencoded;charset=UTF-8",
            HTTP_USER_AGENT=agent,
            REMOTE_ADDR=ip,
            **headers,
        )

    return post


def nothing_written():
    return not (
        ReadDepthDay.objects.exists()
        or SectionReach.objects.exists()
        or ReadReportSeen.objects.exists()
    )


def reach(article):
    return dict(SectionReach.objects.filter(article=article).values_list("position", "readers"))


def test_the_url_is_named():
    assert reverse("popularity:read_depth") == URL


def test_a_report_counts_the_sections_reached(article, report):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": "2", "e": "0"}).status_code == 204
    day = ReadDepthDay.objects.get(article=article)
    assert (day.day, day.readers, day.completions) == (timezone.localdate(), 1, 0)
    assert reach(article) == {1: 1, 2: 1}
    middle = SectionReach.objects.get(article=article, position=2)
    assert (middle.heading, middle.anchor) == ("Middle", "middle")


def test_reports_of_several_readers_add_up(article, report):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1}, ip="203.0.113.1").status_code == 204
    assert report({"t": token, "d": 3}, ip="203.0.113.2").status_code == 204
    assert report({"t": token, "d": 2, "e": 1}, ip="203.0.113.3", as_json=True).status_code == 204
    day = ReadDepthDay.objects.get(article=article)
    assert (day.readers, day.completions) == (3, 1)
    # The complete reader reached every top-level section, whatever "d" said.
    assert reach(article) == {1: 3, 2: 2, 3: 2, 4: 1}


def test_a_reader_who_saw_no_section_is_a_reader_but_reaches_none(article, report):
    assert report({"t": read_token_make(article_id=article.pk), "d": 0}).status_code == 204
    assert ReadDepthDay.objects.get(article=article).readers == 1
    assert reach(article) == {}


def test_a_replayed_report_is_refused(article, report):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1}).status_code == 204
    replay = report({"t": token, "d": 4, "e": 1})
    assert replay.status_code == 409
    assert reach(article) == {1: 1}
    assert ReadDepthDay.objects.get(article=article).completions == 0
    # Another browser at the same address is another reader.
    assert report({"t": token, "d": 1}, agent=OTHER_BROWSER).status_code == 204


def test_the_reader_is_stored_only_as_a_hash(article, report):
    report({"t": read_token_make(article_id=article.pk), "d": 1}, ip="198.51.100.99")
    (seen,) = ReadReportSeen.objects.values_list("reader", flat=True)
    assert isinstance(seen, int) and "198.51.100.99" not in str(seen)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nonsense",
        "1:2026-01-01:abc:def",
        signing.TimestampSigner(salt="another.purpose").sign("1:2026-01-01"),
    ],
    # Named, not shown: the signed token holds the time, and every xdist worker must
    # collect the same test ids.
    ids=["empty", "nonsense", "unsigned", "signed-for-another-purpose"],
)
def test_forged_tokens_are_refused(article, report, token):
    response = report({"t": token or None, "d": 1} if token else {"d": 1})
    assert response.status_code in (400, 403)
    assert nothing_written()


def test_a_token_for_another_article_is_checked_against_that_article(article, report):
    token = read_token_make(article_id=article.pk)
    forged = token.replace(f"{article.pk}:", f"{article.pk + 1}:", 1)
    assert report({"t": forged, "d": 1}).status_code == 403
    gone = read_token_make(article_id=article.pk + 1000)
    assert report({"t": gone, "d": 1}).status_code == 404
    assert nothing_written()


def test_an_expired_token_is_refused(article, report):
    today = timezone.localdate()
    old = read_token_make(article_id=article.pk, day=today - timedelta(days=3))
    assert report({"t": old, "d": 1}).status_code == 403
    assert nothing_written()
    # Yesterday's page (kept in a browser) is still good within the token's lifetime.
    recent = read_token_make(article_id=article.pk, day=today - timedelta(days=1))
    assert report({"t": recent, "d": 1}).status_code == 204


def test_every_render_of_a_page_on_one_day_carries_the_same_token(article, monkeypatch):
    """Public pages are the same bytes for every reader: no second of rendering in the token."""
    first = read_token_make(article_id=article.pk)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert read_token_make(article_id=article.pk) == first


def test_a_draft_gets_no_report(article, report):
    article.status = article.Status.DRAFT
    article.published_at = None
    article.save()
    assert report({"t": read_token_make(article_id=article.pk), "d": 1}).status_code == 404
    assert nothing_written()


@pytest.mark.parametrize(
    "data",
    [
        {"d": "1"},  # no token
        {"d": "x"},
        {"d": "-1"},
        {"d": "99"},  # the article has four top-level sections
        {"d": "1", "e": "yes"},
        {"d": "1", "e": "2"},
        {"d": ""},
    ],
)
def test_malformed_reports_are_refused(article, report, data):
    data = {"t": read_token_make(article_id=article.pk), **data}
    if data["d"] == "1" and "e" not in data:
        del data["t"]
    assert report(data).status_code == 400
    assert nothing_written()


def test_malformed_json_and_other_bodies_are_refused(article, client):
    token = read_token_make(article_id=article.pk)
    for body, content_type, status in [
        ("{not json", "application/json", 400),
        (json.dumps([token, 1]), "application/json", 400),
        (json.dumps({"t": token, "d": True}), "application/json", 400),
        (json.dumps({"t": token, "d": 1.5}), "application/json", 400),
        ("<report/>", "application/xml", 415),
    ]:
        response = client.post(URL, body, content_type=content_type, HTTP_USER_AGENT=BROWSER)
        assert response.status_code == status, body
    assert nothing_written()


def test_an_oversized_report_is_refused(article, report):
    token = read_token_make(article_id=article.pk)
    response = report({"t": token, "d": "1", "padding": "x" * 2000})
    assert response.status_code == 413
    assert nothing_written()


def test_only_post_is_answered(article, client):
    assert client.get(URL, HTTP_USER_AGENT=BROWSER).status_code == 405


@pytest.mark.parametrize("header", [{"HTTP_SEC_GPC": "1"}, {"HTTP_DNT": "1"}])
def test_readers_who_ask_not_to_be_tracked_are_ignored(article, report, header):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 2}, **header).status_code == 204
    assert nothing_written()


def test_bots_and_staff_are_ignored(article, report, client):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 2}, agent="Googlebot/2.1").status_code == 204
    assert report({"t": token, "d": 2}, agent="").status_code == 204
    assert report({"t": token, "d": 2}, HTTP_SEC_PURPOSE="prefetch").status_code == 204
    client.force_login(UserFactory(is_staff=True))
    assert report({"t": token, "d": 2}).status_code == 204
    assert nothing_written()


def test_reports_are_rate_limited_per_client(article, report, settings):
    settings.POPULARITY_READ_DEPTH_RATE_LIMIT = "2/60"
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1}).status_code == 204
    assert report({"t": token, "d": 1}).status_code == 409
    limited = report({"t": token, "d": 1}, agent=OTHER_BROWSER)
    assert limited.status_code == 429 and limited["Retry-After"]
    assert report({"t": token, "d": 1}, ip="203.0.113.50").status_code == 204
    assert ReadDepthDay.objects.get(article=article).readers == 2


def test_the_article_page_carries_the_script_and_a_token(article, client):
    html = client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    assert 'src="/static/js/read-depth.js" defer' in html
    assert 'data-endpoint="/popularity/read-depth/"' in html
    assert "<script>" not in html  # nothing inline: the CSP forbids it


def test_the_kept_page_token_is_the_same_for_everyone_and_valid(article, client, report):
    first = client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    second = client.get(article.get_absolute_url(), HTTP_USER_AGENT=OTHER_BROWSER)
    assert first == second.content.decode()  # one kept page for all readers
    token = first.split('data-token="', 1)[1].split('"', 1)[0]
    assert report({"t": token, "d": 1}).status_code == 204
    assert report({"t": token, "d": 1}, ip="203.0.113.9").status_code == 204
    assert ReadDepthDay.objects.get(article=article).readers == 2


def test_the_script_is_small_and_respects_privacy_signals(settings):
    script = (settings.BASE_DIR / "static" / "js" / "read-depth.js").read_text()
    assert len(script.encode()) < 3072
    assert "globalPrivacyControl" in script and "doNotTrack" in script
    assert "document.cookie" not in script and "Storage" not in script


# --- Engaged time: the seconds the page was visible and in use --------------------------


def engaged(article) -> dict[int, int]:
    """{bucket: readers} of the article, all days together (empty buckets left out)."""
    rows = EngagedTimeDay.objects.filter(article=article, readers__gt=0)
    return dict(rows.values_list("bucket", "readers"))


def test_a_report_with_engaged_time_counts_the_reader_in_its_bucket(article, report):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1, "s": "95"}).status_code == 204
    assert report({"t": token, "d": 1, "s": 12}, ip="203.0.113.2", as_json=True).status_code == 204
    assert engaged(article) == {bucket_of(95): 1, bucket_of(12): 1}
    assert BUCKET_EDGES[bucket_of(95)] == 90 and BUCKET_EDGES[bucket_of(12)] == 10


def test_a_later_report_with_more_time_moves_the_reader_and_less_changes_nothing(article, report):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1, "s": 8}).status_code == 204
    # Hidden, back, hidden again: the page reports again, its time grown.
    assert report({"t": token, "d": 3, "s": 200}).status_code == 204
    assert engaged(article) == {bucket_of(200): 1}
    # The same reader-day never counts twice, and an earlier, smaller figure is no news.
    assert report({"t": token, "d": 1, "s": 200}).status_code == 409
    assert report({"t": token, "d": 1, "s": 40}).status_code == 409
    assert report({"t": token, "d": 1}).status_code == 409
    assert engaged(article) == {bucket_of(200): 1}
    assert ReadReportSeen.objects.get().engaged == 200
    # Depth is the first report's: one reader, one section.
    assert ReadDepthDay.objects.get(article=article).readers == 1
    assert reach(article) == {1: 1}


def test_time_inside_the_same_bucket_is_kept_without_moving_the_reader(article, report):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1, "s": 31}).status_code == 204
    assert report({"t": token, "d": 1, "s": 59}).status_code == 204
    assert engaged(article) == {bucket_of(45): 1}
    assert ReadReportSeen.objects.get().engaged == 59


def test_a_report_without_engaged_time_adds_no_time_not_zero(article, report):
    """Pages cached before the measure send none: unknown, never 0 s."""
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1}).status_code == 204
    assert engaged(article) == {}
    assert report({"t": token, "d": 1, "s": 70}).status_code == 204
    assert engaged(article) == {bucket_of(70): 1}


def test_engaged_time_is_capped(article, report):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1, "s": ENGAGED_CAP_SECONDS}).status_code == 204
    assert engaged(article) == {len(BUCKET_EDGES) - 1: 1}
    response = report({"t": token, "d": 1, "s": ENGAGED_CAP_SECONDS + 1}, ip="203.0.113.3")
    assert response.status_code == 400
    assert "from 0 to 1800" in response.json()["error"]


@pytest.mark.parametrize("seconds", ["-1", "1.5", "abc", "", "99999", "1e3", " 5"])
def test_malformed_engaged_time_is_refused_without_a_write(article, report, seconds):
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1, "s": seconds}).status_code == 400
    assert nothing_written() and not EngagedTimeDay.objects.exists()


@pytest.mark.parametrize("seconds", [-1, 1.5, True, None, [5], "5" * 40])
def test_malformed_engaged_time_in_json_is_refused(article, report, seconds):
    token = read_token_make(article_id=article.pk)
    response = report({"t": token, "d": 1, "s": seconds}, as_json=True)
    # JSON null is "not measured", like a missing field.
    assert response.status_code == (204 if seconds is None else 400)
    assert not EngagedTimeDay.objects.exists()


def test_a_new_day_forgets_each_readers_time(article, report):
    report({"t": read_token_make(article_id=article.pk), "d": 1, "s": 100})
    salts_rotate(today=timezone.localdate() + timedelta(days=1))
    assert not ReadReportSeen.objects.exists()
    assert engaged(article) == {bucket_of(100): 1}  # the histogram stays, nobody in it


def test_the_articles_tags_get_the_same_sums(article, report):
    article.tags.add("calm", "sleep")
    type(article).objects.filter(pk=article.pk).update(reading_time=11)  # half: 330 s
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 2, "e": 1, "s": 310}).status_code == 204
    assert report({"t": token, "d": 0, "s": 10}, ip="203.0.113.2").status_code == 204
    # Later, the first reader passes half the reading time inside the same bucket.
    assert report({"t": token, "d": 2, "s": 340}).status_code == 204
    expected = {(bucket_of(340), 1, 1), (bucket_of(10), 1, 0)}
    rows = EngagedTimeDay.objects.filter(readers__gt=0)
    assert set(rows.values_list("bucket", "readers", "half_readers")) == expected
    for tag in ("calm", "sleep"):
        rows = TagEngagedTimeDay.objects.filter(tag__name=tag, readers__gt=0)
        assert set(rows.values_list("bucket", "readers", "half_readers")) == expected
        depth = TagReadDepthDay.objects.get(tag__name=tag)
        assert (depth.readers, depth.completions) == (2, 1)
    assert not TagReadDepthDay.objects.exclude(tag__name__in=["calm", "sleep"]).exists()


def test_counts_never_go_below_zero_when_the_reading_time_changed_meanwhile(article, report):
    type(article).objects.filter(pk=article.pk).update(reading_time=2)  # half: 60 s
    token = read_token_make(article_id=article.pk)
    assert report({"t": token, "d": 1, "s": 40}).status_code == 204  # not past half
    # The editor shortens the article: 40 s would now have been past half (30 s).
    type(article).objects.filter(pk=article.pk).update(reading_time=1)
    assert report({"t": token, "d": 1, "s": 70}).status_code == 204
    rows = EngagedTimeDay.objects.values_list("bucket", "readers", "half_readers")
    assert set(rows) == {(bucket_of(40), 0, 0), (bucket_of(70), 1, 1)}
