import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_newest_first(client):
    ArticleFactory(title="Older calm", published_at="2025-01-01T09:00:00Z")
    ArticleFactory(title="Newer calm", published_at="2025-06-01T09:00:00Z")
    ArticleFactory(title="Secret draft", draft=True)
    ArticleFactory(title="Not yet", scheduled=True)
    html = client.get("/").content.decode()
    assert html.index("Newer calm") < html.index("Older calm")
    assert "Secret draft" not in html and "Not yet" not in html


def test_article_page_shows_sections_in_order_with_levels(client):
    article = ArticleFactory(title="Sleep well")
    SectionFactory(article=article, position=2, heading="Second part", level=3)
    SectionFactory(article=article, position=1, heading="First part", level=2)
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="first-part">First part</h2>' in html
    assert '<h3 id="second-part">Second part</h3>' in html
    assert html.index("First part") < html.index("Second part")


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_unpublished_articles_answer_404(client, trait):
    article = ArticleFactory(**{trait: True})
    assert client.get(article.get_absolute_url()).status_code == 404


def test_unknown_slug_answers_404(client):
    assert client.get(reverse("articles:detail", kwargs={"slug": "nope"})).status_code == 404


def test_home_query_count_does_not_grow_with_articles(client, django_assert_num_queries):
    for _ in range(3):
        ArticleFactory(tags=["stress", "sleep"])
    # count, page of articles, their tags, Popular Posts (cold cache; none when cached)
    with django_assert_num_queries(4):
        client.get("/")
    for _ in range(6):
        ArticleFactory(tags=["kindness"])
    cache.clear()
    with django_assert_num_queries(4):
        client.get("/")


def test_article_query_count_does_not_grow_with_sections(client, django_assert_num_queries):
    article = ArticleFactory(tags=["stress"])
    for position in range(1, 9):
        SectionFactory(article=article, position=position)
    # article+author, sections, tags, Popular Posts (cold cache; none when cached)
    with django_assert_num_queries(4):
        client.get(article.get_absolute_url())
