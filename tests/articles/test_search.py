"""Search is PostgreSQL's full-text search: its matches, its ranking, its snippets."""

import random
import re

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.html import escape

from articles import selectors
from articles.models import Article, SearchPassage
from articles.services import articles_refresh_derived
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def days_ago(n: float):
    return timezone.now() - timezone.timedelta(days=n)


def page(client, query: str, **params) -> str:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200, query
    return response.content.decode()


def result_titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="card__title"><a href="[^"]+">(.*?)</a>', html)


def snippets(html: str) -> list[str]:
    return re.findall(r'<p class="card__standfirst card__snippet">(.*?)</p>', html, re.S)


def article(title="Notes", standfirst="Nothing much.", body=None, heading="About", **kwargs):
    made = ArticleFactory(title=title, standfirst=standfirst, **kwargs)
    if body is not None:
        SectionFactory(article=made, heading=heading, body=body)
    return made


@pytest.fixture
def library(commit_callbacks):
    """Forty articles with overlapping words in every part, a draft and a scheduled one."""
    words = ["calm", "sleep", "walk", "tea", "night", "breathing", "jaw", "grief"]
    rng = random.Random(7)

    def make():
        for n in range(40):
            picked = rng.sample(words, 4)
            made = ArticleFactory(
                title=f"{picked[0].title()} notes {n}",
                standfirst=f"On {picked[1]} and the day.",
                published_at=days_ago(n + rng.random()),
            )
            for position in range(1, 1 + rng.randint(1, 3)):
                filler = " ".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
                SectionFactory(
                    article=made,
                    position=position,
                    heading=f"About {rng.choice(words)}",
                    body=f"<p>Some {picked[2]} every day, {filler} and {picked[3]} too.</p>",
                )
        ArticleFactory(draft=True, title="Calm sleep draft")
        ArticleFactory(scheduled=True, title="Calm sleep later")

    commit_callbacks(make)


class TestRanking:
    @pytest.mark.parametrize(
        "query", ["sleep walk", "tea night", "calm sleep", "breathing jaw calm", "grief or jaw"]
    )
    def test_the_page_is_in_postgresqls_own_ts_rank_order(self, client, settings, library, query):
        settings.ARTICLES_PER_PAGE = 50
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT title FROM articles_article, websearch_to_tsquery('english', %s) AS q "
                "WHERE status = 'published' AND published_at <= now() AND search_vector @@ q "
                "ORDER BY ts_rank(search_vector, q) DESC, published_at DESC, id DESC",
                [query],
            )
            expected = [row[0] for row in cursor.fetchall()]
        assert len(expected) > 3, "the query must find several articles to order"
        assert result_titles(page(client, query)) == expected

    def test_title_then_standfirst_then_headings_then_bodies(self, client, commit_callbacks):
        def make():
            article(
                "One", body="<p>Chamomile tea, chamomile, chamomile.</p>", published_at=days_ago(1)
            )
            article("Two", body="<p>x</p>", heading="Chamomile", published_at=days_ago(2))
            article("Three", standfirst="Chamomile.", published_at=days_ago(3))
            article("Chamomile", published_at=days_ago(4))

        commit_callbacks(make)
        assert result_titles(page(client, "chamomile")) == ["Chamomile", "Three", "Two", "One"]

    def test_found_by_a_tag_name_below_a_title_that_has_it(self, client, commit_callbacks):
        def make():
            article("A quiet week", tags=["Mindfulness"], published_at=days_ago(1))
            article("Mindfulness for beginners", published_at=days_ago(5))
            article("Unrelated", body="<p>Nothing here.</p>")

        commit_callbacks(make)
        assert result_titles(page(client, "mindfulness")) == [
            "Mindfulness for beginners",
            "A quiet week",
        ]

    def test_a_tag_added_later_or_renamed_is_searchable_at_once(self, client, commit_callbacks):
        from taggit.models import Tag

        made = commit_callbacks(article, "A quiet week")
        commit_callbacks(made.tags.add, "Resilience")
        assert result_titles(page(client, "resilience")) == ["A quiet week"]

        def rename():
            tag = Tag.objects.get(name="Resilience")
            tag.name = "Grit"
            tag.save()

        commit_callbacks(rename)
        assert result_titles(page(client, "grit")) == ["A quiet week"]
        assert result_titles(page(client, "resilience")) == []

    def test_drafts_and_scheduled_articles_are_never_found(self, client, library):
        html = page(client, "calm sleep")
        assert "draft" not in html and "later" not in html


class TestHyphenatedWords:
    @pytest.fixture
    def articles(self, commit_callbacks):
        def make():
            article("Caring for yourself", body="<p>A little self-care each day.</p>")
            article("Feeling well", body="<p>Your wellbeing matters.</p>")
            article("Feeling better", body="<p>Small steps towards well-being.</p>")

        commit_callbacks(make)

    @pytest.mark.parametrize("query", ["self-care", "self care", "selfcare"])
    def test_self_care_written_any_way(self, client, articles, query):
        assert result_titles(page(client, query)) == ["Caring for yourself"]

    @pytest.mark.parametrize("query", ["well-being", "wellbeing"])
    def test_well_being_finds_both_spellings(self, client, articles, query):
        assert set(result_titles(page(client, query))) == {"Feeling well", "Feeling better"}

    def test_the_written_form_is_highlighted(self, client, articles):
        html = page(client, "well-being")
        # PostgreSQL marks the parts of a compound it matched: "well" (being is a stop word).
        assert any("<mark>well</mark>-being" in s for s in snippets(html))
        assert any("<mark>wellbeing</mark>" in s for s in snippets(html))

    def test_a_leading_minus_still_excludes(self, client, articles):
        assert result_titles(page(client, "feeling -well-being")) == []
        assert result_titles(page(client, "feeling -better")) == ["Feeling well"]


class TestSnippets:
    def test_list_items_and_headings_do_not_run_together(self, client, commit_callbacks):
        commit_callbacks(
            article,
            "Evening",
            standfirst="Wind down.",
            heading="What helps",
            body="<ul><li>Warm chamomile</li><li>Dim lights</li><li>No screens</li></ul>",
        )
        (snippet,) = snippets(page(client, "chamomile"))
        assert "What helps · Warm <mark>chamomile</mark> · Dim lights · No screens" in snippet

    def test_a_quoted_phrase_highlights_only_the_phrase(self, client, commit_callbacks):
        commit_callbacks(
            article,
            "Evening",
            standfirst="Sleep first.",
            body="<p>A calm mind. Later, deep sleep. Then calm sleep came at last.</p>",
        )
        (snippet,) = snippets(page(client, '"calm sleep"'))
        assert "Then <mark>calm sleep</mark> came" in snippet
        assert snippet.count("<mark>") == 1

    def test_matches_are_marked_in_escaped_text(self, client, commit_callbacks):
        commit_callbacks(
            article,
            "Calm",
            body="<p>Fish &amp; chips, calm <em>waters</em> &lt;script&gt;x&lt;/script&gt;</p>",
            standfirst="<b onmouseover=x>calm</b> & quiet",
        )
        (snippet,) = snippets(page(client, "calm"))
        assert set(re.findall(r"</?(\w+)", snippet)) == {"mark"}
        assert "Fish &amp; chips, <mark>calm</mark> waters &lt;script&gt;" in snippet

    def test_every_written_form_of_the_stem_is_marked(self, client, commit_callbacks):
        commit_callbacks(article, "Notes", standfirst="Breathing, breathes, breathed.")
        (snippet,) = snippets(page(client, "breathe"))
        assert snippet.startswith("<mark>Breathing</mark>, <mark>breathes</mark>")


class TestSnippetsFromTheBestSection:
    """A snippet is cut from the standfirst and the section that matches best, not from
    the whole article (ts_headline parses all it is given)."""

    @staticmethod
    def long_article(bodies: list[str], **kwargs) -> Article:
        made = ArticleFactory(title="Evening notes", standfirst="A gentle evening.", **kwargs)
        for position, body in enumerate(bodies, start=1):
            SectionFactory(article=made, position=position, heading=f"Part {position}", body=body)
        return made

    def test_the_section_with_all_the_words_is_shown(self, client, commit_callbacks):
        filler = "<p>" + "Nothing to see here, just words. " * 20 + "</p>"
        commit_callbacks(
            self.long_article,
            [
                "<p>Calm, calm, calm: calm again.</p>",
                *[filler] * 8,
                "<p>At night a calm mind and warm tea bring sleep.</p>",
                "<p>Sleep, sleep, sleep.</p>",
            ],
        )
        (snippet,) = snippets(page(client, "calm sleep"))
        assert "a <mark>calm</mark> mind and warm tea bring <mark>sleep</mark>" in snippet
        assert "Nothing to see" not in snippet and "Calm, calm" not in snippet

    def test_else_the_section_with_most_of_the_words(self, client, commit_callbacks):
        commit_callbacks(
            self.long_article,
            [
                "<p>Tea first.</p>",
                "<p>Warm tea and a calm evening.</p>",
                "<p>Lavender for the night.</p>",
            ],
        )
        (snippet,) = snippets(page(client, "calm tea lavender"))
        assert "Warm <mark>tea</mark> and a <mark>calm</mark> evening" in snippet
        assert "Tea first" not in snippet

    def test_a_phrase_is_shown_where_it_stands_together(self, client, commit_callbacks):
        commit_callbacks(
            self.long_article,
            [
                "<p>Calm thoughts. Later, sleep.</p>",
                "<p>Nothing here.</p>",
                "<p>Then calm sleep came at last.</p>",
            ],
        )
        (snippet,) = snippets(page(client, '"calm sleep"'))
        assert "Then <mark>calm sleep</mark> came at last" in snippet
        assert snippet.count("<mark>") == 1

    def test_list_items_in_a_later_section_stay_apart(self, client, commit_callbacks):
        commit_callbacks(
            self.long_article,
            [
                "<p>Start slowly.</p>",
                "<ul><li>Warm chamomile</li><li>Dim lights</li><li>No screens</li></ul>",
            ],
        )
        (snippet,) = snippets(page(client, "chamomile"))
        assert "Part 2 · Warm <mark>chamomile</mark> · Dim lights · No screens" in snippet

    def test_a_match_in_the_standfirst_is_marked_there(self, client, commit_callbacks):
        commit_callbacks(
            article, "Notes", standfirst="Lavender before bed.", body="<p>Nothing else.</p>"
        )
        (snippet,) = snippets(page(client, "lavender"))
        assert snippet.startswith("<mark>Lavender</mark> before bed.")

    def test_found_by_its_title_or_a_tag_only_shows_the_whole_standfirst(
        self, client, commit_callbacks
    ):
        standfirst = (
            "Why a quiet hour before bed, away from screens and news, helps you rest, and "
            "how to make room for one even on busy days & weeks."
        )
        commit_callbacks(
            article,
            "Mindfulness at night",
            standfirst=standfirst,
            body="<p>Dim the lights.</p>",
            tags=["Sleep"],
        )
        for query in ("mindfulness", "sleep", "sleep -lavender"):
            (snippet,) = snippets(page(client, query))
            assert snippet == escape(standfirst), query
        (snippet,) = snippets(page(client, "sleep rest"))  # in the standfirst too: marked
        assert "helps you <mark>rest</mark>, and" in snippet


class TestSearchPassages:
    """The passages snippets are cut from follow every edit, after commit."""

    @staticmethod
    def passages(made: Article) -> list[tuple[int, str]]:
        return list(
            SearchPassage.objects.filter(article=made)
            .order_by("position")
            .values_list("position", "text")
        )

    @staticmethod
    def article(standfirst: str = "Wind down.", **sections: str) -> Article:
        made = ArticleFactory(title="Evening", standfirst=standfirst)
        for position, (heading, body) in enumerate(sections.items(), start=1):
            SectionFactory(article=made, position=position, heading=heading, body=body)
        return made

    def test_the_standfirst_and_each_section_a_line_per_block(self, commit_callbacks):
        made = commit_callbacks(
            self.article,
            standfirst="Wind <em>down</em>.",
            What="<p>Warm <strong>tea</strong>.</p><ul><li>Dim lights</li><li>Rest</li></ul>",
            Why="<p>Sleep.</p>",
        )
        assert self.passages(made) == [
            (0, "Wind down."),
            (1, "What\nWarm tea.\nDim lights\nRest"),
            (2, "Why\nSleep."),
        ]

    def test_an_edited_section_is_found_by_its_new_words_at_once(self, client, commit_callbacks):
        made = commit_callbacks(self.article, About="<p>Warm milk.</p>")
        section = made.sections.get()
        section.body = "<p>Warm chamomile tonight.</p>"
        commit_callbacks(section.save)
        assert self.passages(made)[1] == (1, "About\nWarm chamomile tonight.")
        (snippet,) = snippets(page(client, "chamomile"))
        assert "About · Warm <mark>chamomile</mark> tonight" in snippet

    def test_only_the_edited_sections_passage_is_written(self, commit_callbacks):
        made = commit_callbacks(self.article, A="<p>One.</p>", B="<p>Two.</p>")

        def versions() -> dict[int, str]:
            # A row's place on disk: an UPDATE writes a new version elsewhere.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT position, ctid::text FROM articles_searchpassage WHERE article_id = %s",
                    [made.pk],
                )
                return dict(cursor.fetchall())

        before = versions()
        second = made.sections.get(position=2)
        second.body = "<p>Two, changed.</p>"
        commit_callbacks(second.save)
        after = versions()
        assert after[0] == before[0] and after[1] == before[1]
        assert after[2] != before[2]

    def test_removed_and_added_sections_and_a_new_standfirst(self, commit_callbacks):
        made = commit_callbacks(self.article, A="<p>One.</p>")
        commit_callbacks(SectionFactory, article=made, position=2, heading="B", body="<p>2</p>")
        commit_callbacks(made.sections.get(position=1).delete)
        made.standfirst = "Changed."
        commit_callbacks(made.save)
        assert self.passages(made) == [(0, "Changed."), (2, "B\n2")]
        commit_callbacks(made.delete)
        assert not SearchPassage.objects.exists()

    def test_deleting_an_article_in_the_admin_lists_no_passages(
        self, client, owner, commit_callbacks
    ):
        made = commit_callbacks(self.article, A="<p>One.</p>")
        client.force_login(owner)
        html = client.get(f"/admin/articles/article/{made.pk}/delete/").content.decode()
        assert "Sections: 1" in html and "passage" not in html.lower()
        commit_callbacks(client.post, f"/admin/articles/article/{made.pk}/delete/", {"post": "yes"})
        assert not Article.objects.exists() and not SearchPassage.objects.exists()

    def test_refreshing_twice_changes_nothing(self, commit_callbacks):
        made = commit_callbacks(self.article, A="<p>One.</p>")
        before = self.passages(made)
        articles_refresh_derived(article_ids=[made.pk])
        articles_refresh_derived(article_ids=[made.pk])
        assert self.passages(made) == before


class TestResultsLine:
    def test_a_quoted_query_is_not_quoted_twice(self, client, commit_callbacks):
        commit_callbacks(article, "Calm sleep")
        html = page(client, '"calm sleep"')
        assert "1 article found for <strong>&quot;calm sleep&quot;</strong>" in html
        assert "“&quot;" not in html and '“"' not in html
        assert "1 article found for <strong>“calm”</strong>" in page(client, "calm")


class TestDidYouMean:
    def test_a_misspelling_suggests_a_word_that_finds_results(self, client, commit_callbacks):
        commit_callbacks(article, "The face twitching mystery", tags=["Stress"])
        html = page(client, "twiching")
        assert "No articles match" in html
        link = re.search(r'Did you mean <a href="\?q=([^"]+)">(.*?)</a>\?', html)
        assert link.group(2) == "twitching"
        assert result_titles(page(client, "twitching")) == ["The face twitching mystery"]

    def test_only_the_misspelt_word_changes(self, client, commit_callbacks):
        commit_callbacks(article, "The face twitching mystery", tags=["Stress"])
        assert 'Did you mean <a href="?q=face%20stress">face stress</a>?' in page(
            client, "face strss"
        )

    def test_no_suggestion_when_nothing_is_close(self, client, commit_callbacks):
        commit_callbacks(article, "The face twitching mystery")
        html = page(client, "zebra")
        assert "No articles match" in html and "Did you mean" not in html


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "-",
        "!!",
        "&|",
        "\x00",
        "calm\x00breath",
        "a" * 1000,
        "calm " * 200,
        "x" * 5000,
        '"unclosed quote',
        "&|!:*()",
        "calm & | ! : * ( ) <-> ''",
        "🧘‍♀️ calm 😌",
        "-calm",
        "OR AND NOT",
        "or",
        "<script>alert(1)</script>",
        "\\",
        "'; DROP TABLE articles_article; --",
        "self--care -- -self-",
        '"self-care" -well-being',
        "twiching" * 30,
    ],
)
def test_odd_input_never_errors(client, commit_callbacks, query):
    commit_callbacks(article, "Calm breath", body="<p>Self-care and well-being.</p>")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_raw_nul_in_the_address_is_not_an_error(client):
    assert client.get("/search/?q=calm%00").status_code == 200


class TestCost:
    @staticmethod
    def make(n: int) -> None:
        for i in range(n):
            made = ArticleFactory(title=f"Calm {i}", tags=[f"t{i}", "calm"])
            for position in range(1, 4):
                SectionFactory(article=made, position=position, body="<p>Calm breathing.</p>")

    @pytest.mark.parametrize("n", [2, 12])
    def test_a_search_costs_two_queries_and_asked_again_none(
        self, client, commit_callbacks, django_assert_num_queries, n, settings
    ):
        settings.ARTICLES_PER_PAGE = 5
        commit_callbacks(self.make, n)
        client.get("/")  # the content version is read once
        # The newest matches ranked (their ids: ranking and counting in one walk down the
        # listing index), then the shown page's articles with their snippets.
        with django_assert_num_queries(2):
            first = page(client, "calm breathing")
        with django_assert_num_queries(0):  # one cache read
            again = page(client, "calm  breathing ")  # the same query, spaced differently
        assert result_titles(again) == result_titles(first) and len(result_titles(first)) == min(
            n, 5
        )
        if n > 5:
            with django_assert_num_queries(2):
                assert result_titles(page(client, "calm breathing", page=2))

    def test_nothing_found_costs_the_suggestion_too(
        self, client, commit_callbacks, django_assert_num_queries
    ):
        commit_callbacks(self.make, 3)
        client.get("/")
        # the ranking (empty), whether PostgreSQL found words at all, one query a word for
        # "Did you mean"
        with django_assert_num_queries(3):
            page(client, "zebra")
        with django_assert_num_queries(0):
            page(client, "zebra")

    def test_a_change_to_the_content_is_found_at_once(self, client, commit_callbacks):
        commit_callbacks(self.make, 2)
        assert "2 articles found" in page(client, "calm")
        commit_callbacks(ArticleFactory, title="Calm again")
        assert "3 articles found" in page(client, "calm")

    def test_only_the_newest_matches_are_ranked(self, client, commit_callbacks, monkeypatch):
        monkeypatch.setattr(selectors, "SEARCH_RANKED_AT_MOST", 3)
        commit_callbacks(
            lambda: (
                [article(f"Calm {n}", published_at=days_ago(n + 1)) for n in range(4)]
                + [article("Calm calm, the calmest", published_at=days_ago(10))]
            )
        )
        html = page(client, "calm")
        assert "At least 3 articles found for" in html and "(the newest 3, best first)" in html
        assert set(result_titles(html)) == {"Calm 0", "Calm 1", "Calm 2"}


def test_the_stored_vector_is_used_through_its_gin_index(commit_callbacks):
    commit_callbacks(article, "Calm")
    Article.objects.bulk_create(
        Article(
            title=f"Other {n}",
            slug=f"other-{n}",
            standfirst="x",
            status="published",
            published_at=days_ago(n + 1),
        )
        for n in range(500)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET search_vector = to_tsvector('english', title) "
            "WHERE slug LIKE 'other-%%'"
        )
        cursor.execute("SELECT gin_clean_pending_list('article_search_idx'::regclass)")
        cursor.execute("ANALYZE articles_article")
        cursor.execute("SET LOCAL enable_seqscan = off")
        queryset = selectors.article_search(text="calm")
        query, params = queryset.query.get_compiler("default").as_sql()
        assert "to_tsvector" not in query  # stored, not computed per query
        cursor.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_search_idx" in plan, plan
