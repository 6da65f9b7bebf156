"""Editors see each article's views in the articles list, and can sort by them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, DailyViewFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


def test_the_articles_list_shows_and_sorts_by_the_weeks_views(client, editor):
    today = timezone.localdate()
    quiet = ArticleFactory(title="Quiet piece")
    read = ArticleFactory(title="Much read piece")
    DailyViewFactory(article=quiet, day=today, views=3)
    DailyViewFactory(article=read, day=today - timedelta(days=2), views=41)
    DailyViewFactory(article=read, day=today - timedelta(days=30), views=5_000)  # not this week
    client.force_login(editor)

    # Columns: title, status, published, views (7 days), ...: "-4" is most viewed first.
    page = client.get(CHANGELIST, {"o": "-4"}).content.decode()

    assert "Views, 7 days" in page and "Views, all time" in page
    assert page.index("Much read piece") < page.index("Quiet piece")
    assert '<td class="field-views_7d">41</td>' in page
    assert '<td class="field-views_7d">3</td>' in page
    assert '<td class="field-views_total">5,041</td>' in page  # thousands grouped
