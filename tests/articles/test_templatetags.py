"""The readers' template helpers (articles/templatetags/reading.py)."""

import re

import pytest

from articles.templatetags.reading import name_initial, title_initial
from tests.articles.page_reading import days_ago, html_of
from tests.factories import ArticleFactory


@pytest.mark.parametrize(
    ("title", "initial"),
    [
        ("The Quiet Strength of Support Groups", "Q"),
        ("A Gentle Wind-Down for Better Sleep", "G"),
        ("An owl at dusk", "O"),
        ("Theory of mind", "T"),  # "The" only as a word of its own
        ("“Enough” is a whole sentence", "E"),
        ("10 minutes of stillness", "1"),
        ("Ångström and the eyelid", "Å"),
        ("   ", ""),
    ],
)
def test_a_title_initial_skips_a_leading_article_and_punctuation(title, initial):
    assert title_initial(title) == initial


@pytest.mark.parametrize(
    ("name", "initial"),
    [
        ("Dr Amira Haddad", "A"),
        ("Prof. Lena Ortiz", "L"),
        ("Drew Barker", "D"),  # "Dr" only as a word of its own
        ("Maya Chen", "M"),
        ("Ms", "M"),  # a title alone is the name
    ],
)
def test_a_name_initial_skips_a_title(name, initial):
    assert name_initial(name) == initial


@pytest.mark.django_db
def test_a_related_article_without_a_cover_shows_a_typographic_tile(client):
    article = ArticleFactory(tags=["sleep"])
    ArticleFactory(
        title="The Quiet Strength of Support Groups", tags=["sleep"], published_at=days_ago(30)
    )
    ArticleFactory(tags=["other"], published_at=days_ago(2))  # its "Previous article"
    html = html_of(client, article.get_absolute_url())
    related = html[html.index('id="related_title"') :]
    tile = re.search(
        r'<span class="card__image tile" aria-hidden="true">(.*?)</span></span>', related
    )
    assert tile, "the related card keeps its picture's place"
    assert tile[1] == '<span class="tile__initial">Q'
    assert "placeholder" not in related
