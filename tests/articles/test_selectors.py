import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import selectors
from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

DAY = timezone.timedelta(days=1)


def days_ago(n: float):
    return timezone.now() - n * DAY


class TestRelated:
    def test_most_shared_tags_first_then_newest(self):
        article = ArticleFactory(tags=["a", "b", "c"])
        newest_one = ArticleFactory(tags=["a"], published_at=days_ago(1))
        older_one = ArticleFactory(tags=["b"], published_at=days_ago(5))
        three = ArticleFactory(tags=["a", "b", "c", "d"], published_at=days_ago(50))
        two = ArticleFactory(tags=["c", "a"], published_at=days_ago(40))
        related = list(selectors.article_related(article=article, limit=10))
        assert related == [three, two, newest_one, older_one]
        assert [a.shared_tags for a in related] == [3, 2, 1, 1]

    def test_never_itself_unpublished_or_untagged(self):
        article = ArticleFactory(tags=["a"])
        ArticleFactory(tags=["a"], draft=True)
        ArticleFactory(tags=["a"], scheduled=True)
        ArticleFactory(tags=["b"])
        ArticleFactory()
        assert list(selectors.article_related(article=article)) == []

    def test_an_article_without_tags_has_no_related_articles(self):
        article = ArticleFactory()
        ArticleFactory(tags=["a"])
        assert list(selectors.article_related(article=article)) == []

    def test_limited_by_setting(self, settings):
        settings.ARTICLES_RELATED_COUNT = 2
        article = ArticleFactory(tags=["a"])
        for _ in range(4):
            ArticleFactory(tags=["a"])
        assert len(selectors.article_related(article=article)) == 2


class TestNeighbours:
    def test_only_published_articles_on_either_side(self):
        older = ArticleFactory(published_at=days_ago(9))
        ArticleFactory(draft=True)
        article = ArticleFactory(published_at=days_ago(5))
        ArticleFactory(scheduled=True)
        found = selectors.article_neighbours(article=article)
        assert (found.older, found.newer) == (older, None)

    def test_an_undated_draft_has_none_and_costs_no_query(self, django_assert_num_queries):
        draft = ArticleFactory(draft=True)
        with django_assert_num_queries(0):
            assert selectors.article_neighbours(article=draft) == selectors.Neighbours(None, None)

    def test_a_scheduled_article_seen_in_preview_follows_the_newest(self):
        newest = ArticleFactory(published_at=days_ago(1))
        scheduled = ArticleFactory(scheduled=True)
        found = selectors.article_neighbours(article=scheduled)
        assert (found.older, found.newer) == (newest, None)

    def test_each_side_starts_reading_at_the_article(self):
        """A first visit to an old article must not walk the listing index from the newest
        article down to it (it read half of 10,000 rows: ~3 ms of a first render)."""
        Article.objects.bulk_create(
            Article(
                title=f"Article {n}",
                slug=f"article-{n}",
                standfirst="x",
                status="published",
                published_at=days_ago(n + 1),
            )
            for n in range(400)
        )
        article = Article.objects.get(slug="article-200")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_article")
            cursor.execute("SET LOCAL enable_seqscan = off")
            # The query article_neighbours runs, read back from PostgreSQL's plan.
            with CaptureQueriesContext(connection) as captured:
                found = selectors.article_neighbours(article=article)
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + captured[0]["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert (found.older.slug, found.newer.slug) == ("article-201", "article-199")
        removed = [int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", plan)]
        assert sum(removed) <= 2, plan


class TestOutline:
    def test_h3_nest_under_the_h2_before_them(self):
        article = ArticleFactory()
        for position, level in enumerate([2, 3, 3, 2, 2, 3], start=1):
            SectionFactory(article=article, position=position, level=level)
        outline = selectors.article_outline(article=article)
        assert [len(entry.children) for entry in outline] == [2, 0, 1]
        assert [e.section.position for e in outline] == [1, 4, 5]

    def test_an_h3_with_no_h2_before_it_stands_alone(self):
        article = ArticleFactory()
        SectionFactory(article=article, position=1, level=3)
        SectionFactory(article=article, position=2, level=2)
        outline = selectors.article_outline(article=article)
        assert [(e.section.level, len(e.children)) for e in outline] == [(3, 0), (2, 0)]


class TestTagCounts:
    def test_counts_published_articles_only_and_hides_empty_tags(self):
        ArticleFactory(tags=["sleep", "rest"])
        ArticleFactory(tags=["sleep"])
        ArticleFactory(tags=["sleep", "hidden"], draft=True)
        counts = {tag.name: tag.article_count for tag in selectors.tag_counts_public()}
        assert counts == {"rest": 1, "sleep": 2}

    def test_an_articles_tags_count_published_articles_from_the_kept_counts_too(self):
        """An article page files the article under the tag most published articles carry;
        it takes the counts from every tag's, kept for every page: the same numbers."""
        article = ArticleFactory(tags=["sleep", "rest", "hidden"])
        ArticleFactory(tags=["rest"])
        ArticleFactory(tags=["hidden"], draft=True)
        ArticleFactory(tags=["hidden"], scheduled=True)
        counts = selectors.tag_article_counts()
        kept = selectors.article_tags(article=article, counts=counts)
        counted = selectors.article_tags(article=article)
        assert [(t.name, t.article_count) for t in kept] == [
            (t.name, t.article_count) for t in counted
        ]
        assert [(t.name, t.article_count) for t in kept] == [
            ("hidden", 1),
            ("rest", 2),
            ("sleep", 1),
        ]
        assert selectors.article_primary_tag(article=article, tags=kept).name == "rest"

    def test_tag_public(self):
        ArticleFactory(tags=["sleep"])
        ArticleFactory(tags=["hidden"], scheduled=True)
        assert selectors.tag_public(slug="sleep").name == "sleep"
        assert selectors.tag_public(slug="hidden") is None
        assert selectors.tag_public(slug="nothing") is None


class TestSearch:
    @pytest.fixture
    def published(self, commit_callbacks):
        def make(**kwargs) -> Article:
            body = kwargs.pop("body", None)
            heading = kwargs.pop("heading", None)

            def create():
                article = ArticleFactory(**kwargs)
                if body or heading:
                    SectionFactory(article=article, body=body or "", heading=heading or "Notes")
                return article

            return commit_callbacks(create)

        return make

    def test_words_and_exact_phrases_deep_in_a_body_are_found(self, published):
        deep = published(
            title="Evening",
            body="<p>" + "Quiet words. " * 300 + "A warm cup of chamomile tea helps.</p>",
        )
        published(title="Morning", body="<p>Tea first, then a warm walk.</p>")
        assert list(selectors.article_search(text="chamomile")) == [deep]
        assert list(selectors.article_search(text='"warm cup of chamomile"')) == [deep]
        assert list(selectors.article_search(text='"chamomile warm"')) == []

    def test_web_search_syntax(self, published):
        both = published(title="Calm sleep")
        calm = published(title="Calm mornings")
        assert list(selectors.article_search(text='"calm sleep"')) == [both]
        assert list(selectors.article_search(text="calm -sleep")) == [calm]
        assert set(selectors.article_search(text="sleep or mornings")) == {both, calm}
        assert selectors.article_search_count(text="calm") == 2

    def test_the_ranking_of_ids_is_the_search_order_ties_newest_first(self, published):
        # Equal texts rank equal: the newest first, as the page shows them.
        same = [
            published(title=f"Note {n}", body="<p>Calm tea.</p>", published_at=days_ago(n))
            for n in (3, 1, 2)
        ]
        titled = published(title="Calm tea", body="<p>Calm tea.</p>", published_at=days_ago(9))
        ranking = selectors.article_search_ranking(text="calm tea")
        expected = [titled, same[1], same[2], same[0]]
        assert [pk for pk, _ in ranking] == [a.pk for a in expected]
        assert [a.pk for a in selectors.article_search(text="calm tea")] == [a.pk for a in expected]
        assert ranking[0][1] > ranking[1][1] == ranking[2][1] == ranking[3][1]

    def test_clean_removes_nul_and_control_characters_and_bounds_length(self, settings):
        assert selectors.search_clean("calm\x00 \x07breath\n") == "calm breath"
        assert selectors.search_clean(None) == ""
        assert len(selectors.search_clean("a" * 5000)) == settings.ARTICLES_SEARCH_MAX_LENGTH

    @pytest.mark.parametrize(
        ("text", "expected"),
        [("calm", True), ("the and of", False), ("&|!:*()", False), ('"" -', False)],
    )
    def test_has_terms(self, text, expected):
        assert selectors.search_has_terms(text=text) is expected

    def test_snippet_html(self):
        raw = "a < b &amp; \ue000calm\ue001 <em>x</em>"
        assert selectors.search_snippet(raw) == (
            "… a &lt; b &amp; <mark>calm</mark> &lt;em&gt;x&lt;/em&gt; …"
        )

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("\ue000Calm\ue001 starts here.", "<mark>Calm</mark> starts here."),
            ("the middle of \ue000calm\ue001", "… the middle of <mark>calm</mark> …"),
            ("Starts well but stops", "Starts well but stops …"),
        ],
    )
    def test_snippet_marks_where_it_was_cut(self, raw, expected):
        assert selectors.search_snippet(raw) == expected
