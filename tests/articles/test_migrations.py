"""Data migrations, run forwards on rows made under the schema before them."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@contextmanager
def migrated_back_to(name: str) -> Iterator[Apps]:
    """The articles app's models as of migration `name`; the latest schema again after."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("articles", name)])
    try:
        yield executor.loader.project_state([("articles", name)]).apps
    finally:
        MigrationExecutor(connection).migrate(latest)


def migrate_to(name: str) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate([("articles", name)])
    return executor.loader.project_state([("articles", name)]).apps


@pytest.mark.django_db(transaction=True)
def test_existing_articles_get_their_first_tag_as_primary():
    with migrated_back_to("0007_delete_published_permission") as apps:
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

        Article = migrate_to("0008_article_primary_tag").get_model("articles", "Article")
        primary = dict(Article.objects.values_list("slug", "primary_tag__name"))
        assert primary == {"tagged": "zebra", "bare": None}


@pytest.mark.django_db(transaction=True)
def test_existing_articles_get_their_search_passages():
    with migrated_back_to("0016_article_derived_at") as apps:
        made = apps.get_model("articles", "Article").objects.create(
            title="Evening", slug="evening", standfirst="Wind <em>down</em>.", status="draft"
        )
        apps.get_model("articles", "Section").objects.create(
            article=made,
            position=1,
            heading="What helps",
            anchor="what-helps",
            body="<ul><li>Warm tea</li><li>Dim lights</li></ul>",
        )

        passages = (
            migrate_to("0017_search_passages")
            .get_model("articles", "SearchPassage")
            .objects.order_by("position")
        )
        assert list(passages.values_list("position", "text")) == [
            (0, "Wind down."),
            (1, "What helps\nWarm tea\nDim lights"),
        ]
        assert passages.filter(search_vector="lights").get().position == 1


@pytest.mark.django_db(transaction=True)
def test_existing_articles_keep_their_byline_through_author_profiles():
    with migrated_back_to("0019_author_profile_pages") as apps:
        User = apps.get_model("auth", "User")
        Article = apps.get_model("articles", "Article")
        Profile = apps.get_model("articles", "AuthorProfile")
        ada = User.objects.create(username="ada", first_name="Ada", last_name="Calm")
        bo = User.objects.create(username="bo")
        twin = User.objects.create(username="ada2", first_name="Ada", last_name="Calm")
        Profile.objects.create(name="Taken", slug="ada-calm")  # the slug a name would make
        for n, user in enumerate([ada, ada, bo, twin, None]):
            Article.objects.create(title=f"A{n}", slug=f"a{n}", standfirst="S", author=user)

        apps = migrate_to("0020_bylines_for_existing_articles")
        Profile = apps.get_model("articles", "AuthorProfile")
        ArticleAuthor = apps.get_model("articles", "ArticleAuthor")
        made = {p.user.username: (p.name, p.slug) for p in Profile.objects.exclude(user=None)}
        assert made == {
            "ada": ("Ada Calm", "ada-calm-2"),
            "bo": ("bo", "bo"),
            "ada2": ("Ada Calm", "ada-calm-3"),
        }
        bylines = ArticleAuthor.objects.values_list("article__slug", "profile__user__username")
        assert sorted(bylines) == [("a0", "ada"), ("a1", "ada"), ("a2", "bo"), ("a3", "ada2")]
        assert set(ArticleAuthor.objects.values_list("position", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_what_readers_saw_as_updated_stays_their_updated_date():
    revised = timezone.now() - timezone.timedelta(days=30)
    with migrated_back_to("0022_article_sources") as apps:
        Article = apps.get_model("articles", "Article")
        Article.objects.create(title="Edited", slug="edited", standfirst="S", revised_at=revised)
        Article.objects.create(title="Never edited", slug="never-edited", standfirst="S")

        Article = migrate_to("0023_article_medical_review").get_model("articles", "Article")
        updated = dict(Article.objects.values_list("slug", "substantive_change_at"))
        assert updated == {"edited": revised, "never-edited": None}
