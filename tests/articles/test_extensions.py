"""articles knows nothing of popularity, in its templates too: popularity adds its parts to
the readers' pages through articles.extensions."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_no_articles_template_names_popularity():
    templates = Path(settings.BASE_DIR) / "templates"
    for path in [*templates.glob("articles/**/*.html"), *templates.glob("includes/*.html")]:
        text = path.read_text()
        assert "popular" not in text.lower(), path


def test_popularity_adds_its_sidebar_box_and_article_script(client):
    article = ArticleFactory()
    home = client.get("/").content.decode()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Popular Posts" in home and "Popular Posts" in page
    assert "read-depth" in page and "data-token=" in page


def test_the_preview_gets_no_read_depth_script(editor_client):
    from django.urls import reverse

    draft = ArticleFactory(draft=True)
    preview = editor_client.get(reverse("admin:articles_article_preview", args=[draft.pk]))
    assert "read-depth" not in preview.content.decode()
