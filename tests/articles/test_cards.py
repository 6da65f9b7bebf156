"""The one card every list uses (templates/articles/_card.html): at most two topic pills,
never the topic of the page; the same card on home, topic, search, related and /popular/;
and what each of those pages costs, whatever the number of cards."""

import re

import pytest

from articles.cache import content_changed
from tests.articles.page_reading import days_ago, html_of, main_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def pills(card: str) -> list[str]:
    return re.findall(r'<li><a href="/tags/[^"]+">([^<]+)</a></li>', card)


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card[ "].*?</article>', main_of(html), re.S)


def test_a_card_shows_at_most_two_topics_the_one_it_is_filed_under_first(client):
    article = ArticleFactory(title="Many topics", tags=["calm", "sleep", "stress", "yoga"])
    type(article).objects.filter(pk=article.pk).update(primary_tag=article.tags.get(name="yoga"))
    (card,) = cards(html_of(client, "/"))
    assert pills(card) == ["yoga", "calm"]


def test_a_topic_page_never_repeats_its_own_topic_on_a_card(client):
    ArticleFactory(tags=["stress", "calm", "sleep"])
    ArticleFactory(tags=["stress"])
    found = cards(html_of(client, "/tags/stress/"))
    assert len(found) == 2
    assert [pills(card) for card in found] == [[], ["calm", "sleep"]]


def test_every_list_uses_the_one_card(client):
    article = ArticleFactory(title="Calm breathing", tags=["calm"], published_at=days_ago(9))
    ArticleFactory(title="Calm sleep", tags=["calm"], published_at=days_ago(20), featured=True)
    for days in (8, 10):  # the article's previous and next, unrelated
        ArticleFactory(tags=["other"], published_at=days_ago(days))
    home = html_of(client, "/")
    assert 'class="card card--hero"' in home and len(cards(home)) == 4
    assert len(cards(html_of(client, "/tags/calm/"))) == 2
    related = html_of(client, article.get_absolute_url())
    assert 'class="card card--small"' in related
    assert "_mini_card" not in related and 'class="featured"' not in home


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/", 6),  # the count, the page, its tags, the featured one, its tags, Popular Posts
        ("/tags/calm/", 4),  # the topic, the count, the page, its tags
    ],
)
def test_a_list_costs_the_same_queries_for_two_cards_or_ten(
    client, django_assert_num_queries, settings, path, queries
):
    settings.ARTICLES_PER_PAGE = 12
    ArticleFactory(featured=True, tags=["calm"], published_at=days_ago(30))
    ArticleFactory(tags=["calm", "sleep", "stress"], published_at=days_ago(1))
    client.get(path)  # once, so the process's own caches (content types) are warm
    ArticleFactory(tags=["calm", "sleep", "stress"], published_at=days_ago(2))
    content_changed()  # as saving in the admin does once committed
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    for n in range(8):
        ArticleFactory(tags=["calm", "sleep", "stress"], published_at=days_ago(n + 40))
    content_changed()
    with django_assert_num_queries(queries):
        assert len(cards(client.get(path).content.decode())) >= 10
