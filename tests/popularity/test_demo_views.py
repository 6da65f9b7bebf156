from io import StringIO

import pytest
from django.core.management import call_command

from popularity.models import ArticleTotal, DailyView
from popularity.rankings import ranking
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_demo_views_fill_popular_posts_once_and_never_touch_real_counts():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo_views", stdout=StringIO())
    rows = DailyView.objects.count()
    assert rows > 100
    assert len(ranking(window="7d", limit=5)) == 5
    assert all(
        total.views
        == sum(DailyView.objects.filter(article=total.article).values_list("views", flat=True))
        for total in ArticleTotal.objects.all()
    )
    # A second run, or one after real views, adds nothing.
    call_command("load_demo_views", stdout=StringIO())
    assert DailyView.objects.count() == rows


def test_no_demo_views_for_drafts():
    draft = ArticleFactory(draft=True)
    ArticleFactory()
    call_command("load_demo_views", stdout=StringIO())
    assert not DailyView.objects.filter(article=draft).exists()
