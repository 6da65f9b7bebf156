"""A published article's old addresses keep working (301), and never shadow a live page."""

import pytest
from django.urls import reverse

from articles.models import SlugRedirect
from articles.services import article_slug_redirect_create, article_unpublish
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def rename(article, new_slug: str) -> None:
    old = article.slug
    article.slug = new_slug
    article.save()
    article_slug_redirect_create(article=article, old_slug=old)


def test_old_address_answers_301_to_the_new_one(client):
    article = ArticleFactory(slug="breathe-out")
    rename(article, "breathe-out-slowly")
    response = client.get("/articles/breathe-out/?utm=x")
    assert response.status_code == 301
    assert response["Location"] == "/articles/breathe-out-slowly/"


def test_a_redirect_to_an_article_no_longer_public_is_a_404(client):
    article = ArticleFactory(slug="old-name")
    rename(article, "new-name")
    article_unpublish(article=article)
    assert client.get("/articles/old-name/").status_code == 404


def test_a_live_article_at_a_former_address_wins(client):
    first = ArticleFactory(slug="calm")
    rename(first, "calm-first")
    second = ArticleFactory(slug="calm-second", title="The new calm")
    rename(second, "calm")  # takes the address back
    assert not SlugRedirect.objects.filter(old_slug="calm").exists()
    response = client.get("/articles/calm/")
    assert response.status_code == 200 and "The new calm" in response.content.decode()


def test_redirects_go_with_their_article():
    article = ArticleFactory(slug="a")
    rename(article, "b")
    article.delete()
    assert SlugRedirect.objects.count() == 0


def test_unknown_addresses_stay_404(client):
    assert client.get("/articles/never-existed/").status_code == 404


# session, user, user and group permissions, the filtered and the full count, the page of
# redirects with their articles, and two for the date drill-down
QUERIES = 9


class TestFormerAddressesInTheAdmin:
    """Editors see which old addresses still lead to which article; site owners may give one
    up, after which it is an ordinary 404."""

    @pytest.fixture
    def renamed(self):
        article = ArticleFactory(slug="breathe-out", title="Breathe out slowly")
        rename(article, "breathe-out-slowly")
        return article

    def test_editors_see_each_former_address_and_its_article(self, client, editor, renamed):
        client.force_login(editor)
        page = client.get(reverse("admin:articles_slugredirect_changelist"))
        html = page.content.decode()
        assert page.status_code == 200 and "Former addresses" in html
        assert "/articles/breathe-out/" in html and "Breathe out slowly" in html
        assert "/articles/breathe-out-slowly/" in html
        # Made by renaming only: nobody adds, edits or (as an editor) deletes one by hand.
        assert client.get(reverse("admin:articles_slugredirect_add")).status_code == 403
        redirect = SlugRedirect.objects.get()
        delete = reverse("admin:articles_slugredirect_delete", args=[redirect.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert client.get("/articles/breathe-out/").status_code == 301

    def test_a_site_owner_gives_an_address_up(self, client, owner, renamed):
        client.force_login(owner)
        redirect = SlugRedirect.objects.get()
        delete = reverse("admin:articles_slugredirect_delete", args=[redirect.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 302
        assert client.get("/articles/breathe-out/").status_code == 404
        assert client.get("/articles/breathe-out-slowly/").status_code == 200

    def test_the_list_costs_the_same_queries_for_many_addresses(
        self, client, editor, renamed, django_assert_num_queries
    ):
        client.force_login(editor)
        url = reverse("admin:articles_slugredirect_changelist")
        with django_assert_num_queries(QUERIES):
            client.get(url)
        for n in range(12):
            rename(ArticleFactory(slug=f"old-{n}"), f"new-{n}")
        with django_assert_num_queries(QUERIES):
            assert "old-11" in client.get(url).content.decode()
