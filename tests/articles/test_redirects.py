"""A published article's old addresses keep working (301), and never shadow a live page."""

import pytest

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
