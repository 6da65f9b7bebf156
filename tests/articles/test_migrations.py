"""Data migrations, run forwards on rows made under the schema before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("articles", "0007_delete_published_permission")]
AFTER = [("articles", "0008_article_primary_tag")]


@pytest.mark.django_db(transaction=True)
def test_existing_articles_get_their_first_tag_as_primary():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        Article = apps.get_model("articles", "Article")
        Tag = apps.get_model("taggit", "Tag")
        TaggedArticle = apps.get_model("articles", "TaggedArticle")
        zebra, apple = (Tag.objects.create(name=n, slug=n) for n in ("zebra", "apple"))
        tagged = Article.objects.create(
            title="Tagged", slug="tagged", standfirst="S", published_at=timezone.now()
        )
        # Given "zebra" first: not the alphabetical first, the first one given.
        TaggedArticle.objects.create(content_object=tagged, tag=zebra)
        TaggedArticle.objects.create(content_object=tagged, tag=apple)
        Article.objects.create(title="Bare", slug="bare", standfirst="S")

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        Article = executor.loader.project_state(AFTER).apps.get_model("articles", "Article")
        primary = dict(Article.objects.values_list("slug", "primary_tag__name"))
        assert primary == {"tagged": "zebra", "bare": None}
    finally:
        MigrationExecutor(connection).migrate(latest)
