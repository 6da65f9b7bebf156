import re

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Section
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _violates(constraint_name: str, func) -> None:
    with pytest.raises(IntegrityError, match=constraint_name), transaction.atomic():
        func()


class TestDatabaseConstraints:
    def test_slug_is_unique(self):
        ArticleFactory(slug="breathe")
        _violates("articles_article_slug", lambda: ArticleFactory(slug="breathe"))

    def test_published_article_needs_a_date(self):
        _violates(
            "article_published_has_date",
            lambda: ArticleFactory(status=Article.Status.PUBLISHED, published_at=None),
        )

    def test_unknown_status_is_refused(self):
        _violates("article_status_valid", lambda: ArticleFactory(status="archived"))

    def test_section_level_is_two_or_three(self):
        article = ArticleFactory()
        _violates("section_level_2_or_3", lambda: SectionFactory(article=article, level=4))

    def test_section_position_is_unique_per_article(self):
        article = ArticleFactory()
        SectionFactory(article=article, position=1)

        def duplicate():
            # The constraint is deferred: it is checked when the transaction commits.
            SectionFactory(article=article, position=1)
            with transaction.get_connection().cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

        _violates("section_position_unique", duplicate)

    def test_anchor_is_unique_per_article_but_not_across_articles(self):
        first, second = ArticleFactory(), ArticleFactory()
        SectionFactory(article=first, anchor="calm", position=1)
        SectionFactory(article=second, anchor="calm", position=1)

        def duplicate():
            SectionFactory(article=first, anchor="calm", position=2)
            with transaction.get_connection().cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

        _violates("section_anchor_unique", duplicate)

    def test_sections_can_swap_positions_in_one_transaction(self):
        article = ArticleFactory()
        a = SectionFactory(article=article, position=1)
        b = SectionFactory(article=article, position=2)
        with transaction.atomic():
            Section.objects.filter(pk=a.pk).update(position=2)
            Section.objects.filter(pk=b.pk).update(position=1)
        assert list(article.sections.values_list("pk", flat=True)) == [b.pk, a.pk]


class TestPublished:
    def test_only_published_articles_whose_time_has_come(self):
        visible = ArticleFactory()
        ArticleFactory(draft=True)
        ArticleFactory(scheduled=True)
        assert list(Article.objects.published()) == [visible]

    def test_scheduled_article_appears_by_itself_when_its_time_comes(self, monkeypatch):
        article = ArticleFactory(scheduled=True)
        assert not Article.objects.published().exists()
        later = timezone.now() + timezone.timedelta(days=4)
        monkeypatch.setattr(timezone, "now", lambda: later)
        assert list(Article.objects.published()) == [article]
        assert article.is_public

    def test_newest_first(self):
        now = timezone.now()
        old = ArticleFactory(published_at=now - timezone.timedelta(days=9))
        new = ArticleFactory(published_at=now - timezone.timedelta(hours=1))
        assert list(Article.objects.published()) == [new, old]

    def test_absolute_url_uses_the_slug(self):
        assert ArticleFactory(slug="slow-breath").get_absolute_url() == "/articles/slow-breath/"


class TestSectionSave:
    def test_body_is_sanitised_on_every_save(self):
        section = SectionFactory(
            body='<p onclick="steal()">Hi <script>alert(1)</script>'
            '<a href="javascript:x()">x</a></p>'
        )
        section.refresh_from_db()
        assert "script" not in section.body
        assert "onclick" not in section.body
        assert "javascript:" not in section.body
        assert section.body.startswith("<p>Hi")

    def test_anchor_made_from_heading_and_kept_unique(self):
        article = ArticleFactory()
        first = SectionFactory(article=article, heading="In Conclusion", anchor="", position=1)
        second = SectionFactory(article=article, heading="In conclusion", anchor="", position=2)
        assert (first.anchor, second.anchor) == ("in-conclusion", "in-conclusion-2")

    def test_save_with_update_fields_still_sanitises(self):
        section = SectionFactory()
        section.body = "<p style='color:red'>x</p><iframe src='//evil'></iframe>"
        section.save(update_fields=["body"])
        section.refresh_from_db()
        assert section.body == "<p>x</p>"


def test_no_help_text_holds_a_placeholder_the_admin_would_swallow():
    """The admin shows help texts as HTML: "/authors/<slug>/" reached editors as "/authors//"."""
    swallowed = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in {"articles", "popularity", "core"}
        for field in model._meta.get_fields()
        if re.search(r"<[a-z_]+>", str(getattr(field, "help_text", "")))
    ]
    assert swallowed == []


def test_the_reviewer_help_text_reaches_the_editor_whole(editor_client):
    article = ArticleFactory(health_content=True)
    page = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Readers see “Medically reviewed by Dr Ana Ruiz, MD, neurologist” while" in page
