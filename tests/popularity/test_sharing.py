"""Shared read-only links to the statistics: scope, revocation, expiry, tampering, headers,
and who may make and revoke them."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from popularity.models import SharedStatsLink
from popularity.sharing import shared_link_path, shared_link_token
from tests.factories import ArticleFactory, DailyOriginFactory, DailyViewFactory

pytestmark = pytest.mark.django_db


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def site():
    """Two articles tagged sleep (one a draft), one tagged work, each read this week."""
    sleep = ArticleFactory(title="Sleep after a long day", tags=["sleep"])
    nap = ArticleFactory(title="The secret nap plan", tags=["sleep"], draft=True)
    work = ArticleFactory(title="Grief at work", tags=["work"])
    for article, views in ((sleep, 40), (nap, 7), (work, 25)):
        DailyViewFactory(article=article, day=ago(1), views=views, unique_readers=views - 2)
    DailyOriginFactory(article=sleep, day=ago(1), source="Reddit", views=40, unique_readers=38)
    DailyOriginFactory(article=work, day=ago(1), source="Google", views=25, unique_readers=23)
    return {"sleep": sleep, "nap": nap, "work": work}


def shared(**fields) -> SharedStatsLink:
    return SharedStatsLink.objects.create(label="For Ana", **fields)


def test_an_article_link_shows_that_article_and_nothing_of_the_others(client, site):
    link = shared(scope="article", article=site["sleep"])
    response = client.get(shared_link_path(link=link))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Statistics: Sleep after a long day" in html
    assert 'data-total="views">40<' in html and 'data-total="unique_readers">38<' in html
    assert "Reddit" in html
    for elsewhere in ("Grief at work", "The secret nap plan", "Google"):
        assert elsewhere not in html


def test_an_article_links_days_start_on_its_publication_day(client, site):
    sleep = site["sleep"]
    type(sleep).objects.filter(pk=sleep.pk).update(published_at=timezone.now() - timedelta(days=3))
    html = client.get(shared_link_path(link=shared(scope="article", article=sleep))).content
    days = re.findall(
        r'<time datetime="([\d-]+)"', html.decode().split('id="shared-days-table"')[1]
    )
    assert days == [f"{ago(n):%Y-%m-%d}" for n in range(4)]  # newest first, not 30 days


def test_a_tag_link_shows_the_tags_published_articles_only(client, site):
    link = shared(scope="tag", tag=Tag.objects.get(name="sleep"))
    html = client.get(shared_link_path(link=link)).content.decode()
    assert "Articles tagged “sleep”" in html
    assert 'data-total="views">47<' in html  # the draft's views are the tag's too
    table = html[html.index('id="shared-articles-table"') :]
    assert "Sleep after a long day" in table
    assert "The secret nap plan" not in html  # but never a draft's title
    assert "Grief at work" not in html and "Google" not in html


def test_a_site_link_shows_every_published_article(client, site):
    html = client.get(shared_link_path(link=shared(scope="site"))).content.decode()
    assert 'data-total="views">72<' in html
    assert html.index("Sleep after a long day") < html.index("Grief at work")
    assert "The secret nap plan" not in html


def test_the_period_can_be_chosen_and_a_strange_one_is_the_default(client, site):
    DailyViewFactory(article=site["sleep"], day=ago(20), views=5, unique_readers=5)
    DailyViewFactory(article=site["sleep"], day=ago(60), views=3, unique_readers=3)
    path = shared_link_path(link=shared(scope="article", article=site["sleep"]))

    def views(period: str) -> str:
        html = client.get(path, {"range": period}).content.decode()
        return html.split('data-total="views">')[1].split("<")[0]

    assert [views(p) for p in ("7", "30", "90")] == ["40", "45", "48"]
    # "All time" is not offered (its start would tell when counting began): the default.
    assert [views(p) for p in ("all", "", "<script>")] == ["45", "45", "45"]


def test_the_page_sets_no_cookie_is_private_and_keeps_its_address_to_itself(client, site):
    response = client.get(shared_link_path(link=shared(scope="site")))
    assert response.cookies == {}
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_a_revoked_an_expired_or_a_tampered_link_answers_404(client, site):
    revoked = shared(scope="site", revoked_at=timezone.now())
    expired = shared(scope="site", expires_at=timezone.now() - timedelta(minutes=1))
    later = shared(scope="site", expires_at=timezone.now() + timedelta(days=1))
    assert client.get(shared_link_path(link=revoked)).status_code == 404
    assert client.get(shared_link_path(link=expired)).status_code == 404
    assert client.get(shared_link_path(link=later)).status_code == 200
    token = shared_link_token(link=later)
    value, signature = token.split(":")
    for forged in (
        f"{revoked.pk + 1000}:{signature}",  # another id under this signature
        f"{value}:{signature[:-1]}x",
        value,
        "1",
        "x" * 500,
        f"99999999999999999999:{signature}",
    ):
        url = reverse("popularity:shared", kwargs={"token": forged})
        assert client.get(url).status_code == 404, forged


def test_a_link_to_a_deleted_article_is_gone_with_it(client, site):
    link = shared(scope="article", article=site["work"])
    path = shared_link_path(link=link)
    site["work"].delete()
    assert client.get(path).status_code == 404


def test_the_shared_page_query_count(client, site, django_assert_num_queries):
    DailyViewFactory(article=site["work"], day=ago(80))  # counted since before the last period
    path = shared_link_path(link=shared(scope="tag", tag=Tag.objects.get(name="sleep")))
    # link, first counted day, days, previous period, ranking, rows, sources; the ranking
    # and the sources read the ended days (then kept, see closed_days.py) and today apart
    with django_assert_num_queries(9):
        assert client.get(path).status_code == 200


def test_a_link_names_what_its_scope_needs():
    article = ArticleFactory()
    with pytest.raises(ValidationError) as error:
        SharedStatsLink(label="x", scope="article").full_clean()
    assert "article" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        SharedStatsLink(label="x", scope="tag").full_clean()
    assert "tag" in error.value.message_dict
    link = SharedStatsLink(label="x", scope="site", article=article)
    link.full_clean()  # a site link drops the article chosen before the scope changed
    assert link.article is None


# --- Made and revoked in the admin, by site owners only -----------------------------------


def test_site_owners_make_a_link_and_see_it_and_editors_cannot(client, owner, editor, site):
    add = reverse("admin:popularity_sharedstatslink_add")
    client.force_login(editor)
    assert client.get(add).status_code == 403
    assert client.get(reverse("admin:popularity_sharedstatslink_changelist")).status_code == 403
    client.force_login(owner)
    response = client.post(
        add, {"label": "Ana's sleep article", "scope": "article", "article": site["sleep"].pk}
    )
    assert response.status_code == 302
    link = SharedStatsLink.objects.get()
    assert (link.created_by, link.article) == (owner, site["sleep"])
    page = client.get(reverse("admin:popularity_sharedstatslink_change", args=[link.pk]))
    assert shared_link_path(link=link) in page.content.decode()
    # A scope without its article is a form error, not a 500.
    bad = client.post(add, {"label": "x", "scope": "article"})
    assert bad.status_code == 200 and "article" in bad.context["adminform"].form.errors


def test_a_link_made_already_expired_is_a_form_error(client, owner, site):
    add = reverse("admin:popularity_sharedstatslink_add")
    client.force_login(owner)
    past = timezone.localtime() - timedelta(days=1)
    fields = {"label": "Ana", "scope": "site", "expires_at_0": past.strftime("%Y-%m-%d")}
    response = client.post(add, fields | {"expires_at_1": past.strftime("%H:%M:%S")})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["expires_at"]
    assert errors == [
        "This time has passed: the link would never work. Choose a later time, or leave it empty."
    ]
    assert not SharedStatsLink.objects.exists()
    later = timezone.localtime() + timedelta(days=7)
    fields |= {"expires_at_0": later.strftime("%Y-%m-%d"), "expires_at_1": "09:00:00"}
    assert client.post(add, fields).status_code == 302
    link = SharedStatsLink.objects.get()
    # Once given out, the link still opens in the admin after its expiry has passed.
    SharedStatsLink.objects.update(expires_at=timezone.now() - timedelta(days=1))
    change = reverse("admin:popularity_sharedstatslink_change", args=[link.pk])
    assert client.get(change).status_code == 200


def test_site_owners_revoke_links_and_no_one_deletes_them(client, owner, editor, site):
    link = shared(scope="site")
    changelist = reverse("admin:popularity_sharedstatslink_changelist")
    action = {"action": "revoke", "_selected_action": [link.pk]}
    client.force_login(editor)
    client.post(changelist, action)
    link.refresh_from_db()
    assert link.revoked_at is None
    client.force_login(owner)
    assert client.post(changelist, action).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(shared_link_path(link=link)).status_code == 404
    delete = reverse("admin:popularity_sharedstatslink_delete", args=[link.pk])
    assert client.get(delete).status_code == 403


def test_the_list_says_what_each_link_shows_and_filters_by_state(client, owner, site):
    revoked = shared(scope="site")
    shared(scope="article", article=site["sleep"])
    SharedStatsLink.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    changelist = reverse("admin:popularity_sharedstatslink_changelist")
    client.force_login(owner)
    site_row, article_row = (
        'field-shows">The whole site<',
        f'field-shows">Article: {site["sleep"].title}<',
    )
    page = client.get(changelist).content.decode()
    assert site_row in page and article_row in page
    only = client.get(changelist, {"state": "revoked"}).content.decode()
    assert site_row in only and article_row not in only
    only = client.get(changelist, {"state": "active"}).content.decode()
    assert site_row not in only and article_row in only
