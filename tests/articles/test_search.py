"""Search from kept, ranked word lists: the same matches PostgreSQL finds, ranked sensibly,
with snippets that mark what matched."""

import random

import pytest
from django.utils import timezone

from articles import search, selectors, services
from articles.cache import content_state
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def days_ago(n: float):
    return timezone.now() - timezone.timedelta(days=n)


def found(text: str) -> list:
    return list(selectors.article_search(text=text))


def whole(text: str) -> list:
    return list(selectors.article_search_whole(text=text))


def marked(raw: str) -> str:
    return raw.replace(search.MARK_START, "[").replace(search.MARK_STOP, "]")


@pytest.fixture
def library(commit_callbacks):
    """Twelve articles with overlapping words in every part, a draft and a scheduled one."""
    words = ["calm", "sleep", "walk", "grief", "breathing", "jaw"]
    rng = random.Random(7)

    def make():
        made = []
        for n in range(12):
            picked = rng.sample(words, 3)
            article = ArticleFactory(
                title=f"{picked[0].title()} notes {n}",
                standfirst=f"On {picked[1]} and the day.",
                published_at=days_ago(n + rng.random()),
            )
            for position in range(1, 1 + rng.randint(1, 3)):
                SectionFactory(
                    article=article,
                    position=position,
                    heading=f"About {rng.choice(words)}",
                    body=f"<p>Some {picked[2]} every day, and {rng.choice(words)} too.</p>",
                )
            made.append(article)
        ArticleFactory(draft=True, title="Calm draft")
        ArticleFactory(scheduled=True, title="Calm later")
        return made

    return commit_callbacks(make)


class TestTsqueryText:
    @pytest.mark.parametrize(
        ("text", "tree"),
        [
            ("'calm'", search.Node("term", "calm")),
            (
                "'calm' & !'sleep'",
                search.Node(
                    "and",
                    children=(
                        search.Node("term", "calm"),
                        search.Node("not", children=(search.Node("term", "sleep"),)),
                    ),
                ),
            ),
            (
                "'a' | 'b' & 'c'",
                search.Node(
                    "or",
                    children=(
                        search.Node("term", "a"),
                        search.Node(
                            "and", children=(search.Node("term", "b"), search.Node("term", "c"))
                        ),
                    ),
                ),
            ),
            ("'o''brien'", search.Node("term", "o'brien")),
            ("", None),
        ],
    )
    def test_reads_postgresqls_text_form(self, text, tree):
        assert search.parse_tsquery(text) == tree

    @pytest.mark.parametrize("text", ["'calm' <-> 'sleep'", "'calm':*", "'calm' <2> 'x'", "'a' &"])
    def test_phrases_prefixes_and_nonsense_are_left_to_postgresql(self, text):
        with pytest.raises(search.Unsupported):
            search.parse_tsquery(text)


class TestSameMatchesAsPostgresql:
    @pytest.mark.parametrize(
        "text",
        [
            "calm",
            "sleep walk",
            "calm or grief",
            "calm -sleep",
            "-sleep",
            "jaw -calm -walk",
            "grief or (walk -calm)",
            "breathing sleeping walks",
            "zebra",
            "calm zebra",
        ],
    )
    def test_same_articles_and_count(self, library, text):
        results = selectors.article_search(text=text)
        expected = whole(text)
        assert set(results) == set(expected)
        assert results.count() == len(expected)

    def test_one_word_is_ranked_exactly_as_postgresql_ranks_it(self, library):
        for word in ("calm", "sleep", "breathing", "jaw"):
            assert found(word) == whole(word), word

    def test_never_drafts_or_scheduled_articles(self, library):
        titles = {article.title for article in found("calm")}
        assert "Calm draft" not in titles and "Calm later" not in titles


class TestRanking:
    def test_weights_title_then_standfirst_then_headings_then_bodies(self, commit_callbacks):
        def make():
            body = ArticleFactory(title="One", published_at=days_ago(1))
            SectionFactory(article=body, heading="Notes", body="<p>Chamomile and lavender.</p>")
            heading = ArticleFactory(title="Two", published_at=days_ago(2))
            SectionFactory(article=heading, heading="Chamomile and lavender", body="<p>x</p>")
            title = ArticleFactory(title="Chamomile and lavender", published_at=days_ago(3))
            return body, heading, title

        body, heading, title = commit_callbacks(make)
        assert found("lavender chamomile") == [title, heading, body]
        assert found("lavender or chamomile") == [title, heading, body]

    def test_both_words_rank_above_either_alone(self, commit_callbacks):
        def make():
            one = ArticleFactory(title="Chamomile", published_at=days_ago(1))
            both = ArticleFactory(title="Chamomile and lavender", published_at=days_ago(5))
            other = ArticleFactory(title="Lavender", published_at=days_ago(2))
            return one, both, other

        one, both, other = commit_callbacks(make)
        results = found("chamomile or lavender")
        assert results[0] == both and set(results[1:]) == {one, other}

    def test_equal_ranks_newest_first_and_pages_join_up(self, commit_callbacks, settings):
        articles = commit_callbacks(
            lambda: [
                ArticleFactory(title=f"Quiet {n}", published_at=days_ago(n)) for n in range(25)
            ]
        )
        results = selectors.article_search(text="quiet -noise")
        pages = results[0:10] + results[10:20] + results[20:30]
        assert pages == articles  # newest first, no gaps, no repeats
        assert results[24] == articles[24]
        with pytest.raises(IndexError):
            results[25]

    def test_the_early_stop_returns_what_a_full_sort_would(self):
        """The walk down the shortest list stops early; on random lists with many ties it
        must agree with ranking every match."""
        rng = random.Random(11)
        for trial in range(40):
            version = object()
            ids = list(range(1, 400))
            recency = {pk: place for place, pk in enumerate(rng.sample(ids, len(ids)))}
            lists = {}
            for word in ("a", "b", "c"):
                members = rng.sample(ids, rng.randint(1, 300))
                rank = {pk: rng.choice([0.1, 0.2, 0.3, 0.6, 1.0]) for pk in members}
                order = sorted(members, key=lambda pk, r=rank: (-r[pk], recency[pk]))
                lists[word] = search.Postings.made([(pk, rank[pk]) for pk in order], recency)
            with search._kept.lock:
                search._kept.reset_for(version)
                search._kept.terms.update(lists)
                search._kept.recency = recency
                search._kept.newest = tuple(sorted(ids, key=recency.get))
            tree = search.parse_tsquery(rng.choice(["'a' & 'b'", "'a' & 'b' & 'c'", "'a' & !'c'"]))
            ranked = search.Ranked(tree, version)
            words = [lists[w] for w in sorted(search.lexemes_of(tree))]

            def key(pk, words=words, recency=recency):
                return (-sum(p.rank.get(pk, 0.0) for p in words), recency[pk])

            k = rng.choice([1, 5, 10, 30])
            expected = sorted(ranked.match_ids(), key=key)[:k]
            assert [pk for pk, _ in ranked.best(k)] == expected, trial


class TestKeptLists:
    def test_a_new_article_is_found_at_once(self, library, commit_callbacks):
        before = selectors.article_search(text="calm").count()
        fresh = commit_callbacks(ArticleFactory, title="Calm again, at last")
        results = found("calm")
        assert len(results) == before + 1 and fresh in results

    def test_an_unpublished_article_is_gone_at_once(self, library, commit_callbacks):
        gone = found("calm")[0]
        commit_callbacks(services.article_unpublish, article=gone)
        assert gone not in found("calm")

    def test_kept_postings_are_bounded(self, library, settings):
        settings.ARTICLES_SEARCH_KEPT_POSTINGS = 8
        for word in ("calm", "sleep", "walk", "grief", "breathing", "jaw"):
            found(word)
        # The newest list is always kept, however long; older ones go first.
        assert list(search._kept.terms) == ["jaw"]
        assert found("calm") == whole("calm")


class TestSnippets:
    def test_words_found_by_an_earlier_query_are_marked_again(self, commit_callbacks):
        def make():
            article = ArticleFactory(title="Notes", standfirst="A calm walk, then sleep.")
            SectionFactory(article=article, heading="Later", body="<p>Sleep came calmly.</p>")
            return article

        article = commit_callbacks(make)
        expected = "A [calm] walk, then [sleep]. Later. [Sleep] came [calmly]."
        found("calm")  # keeps where "calm" is in the text
        assert marked(found("sleep calm")[0].snippet) == expected
        assert marked(found("calm sleep")[0].snippet) == expected

        def edit():
            article.standfirst = "Sleep first; a long, calm walk after."
            article.save()

        commit_callbacks(edit)  # a new version: the places are found again in the new text
        assert marked(found("calm sleep")[0].snippet) == (
            "[Sleep] first; a long, [calm] walk after. Later. [Sleep] came [calmly]."
        )

    def test_marks_every_written_form_of_the_stem(self, commit_callbacks):
        def make():
            article = ArticleFactory(standfirst="Breathing, breathes, breathed.")
            SectionFactory(article=article, heading="Breath", body="<p>Take a breath.</p>")

        commit_callbacks(make)
        (result,) = found("breathe")
        assert marked(result.snippet) == (
            "[Breathing], [breathes], [breathed]. [Breath]. Take a [breath]."
        )

    def test_two_fragments_when_the_words_are_far_apart(self, commit_callbacks):
        filler = " ".join(f"word{n}" for n in range(80))

        def make():
            article = ArticleFactory(standfirst="Nothing yet.")
            SectionFactory(
                article=article,
                heading="Start",
                body=f"<p>Chamomile first. {filler} and lavender at the end.</p>",
            )

        commit_callbacks(make)
        (result,) = found("chamomile lavender")
        first, second = marked(result.snippet).split(" … ")
        assert "[Chamomile] first." in first and "word79 and [lavender] at the end." in second

    def test_the_opening_words_when_only_the_title_matched(self, commit_callbacks):
        commit_callbacks(ArticleFactory, title="Chamomile", standfirst="A gentle cup of tea.")
        (result,) = found("chamomile")
        assert marked(result.snippet).startswith("A gentle cup of tea.")
        assert "[" not in marked(result.snippet)

    def test_snippets_match_what_the_page_shows(self, client, commit_callbacks):
        commit_callbacks(ArticleFactory, standfirst="Chamomile & <em>honey</em> at night.")
        html = client.get("/search/?q=honey").content.decode()
        assert "Chamomile &amp; <mark>honey</mark> at night." in html


def test_content_version_scopes_the_lists(library):
    version = content_state().version
    selectors.article_search(text="calm", version=version)
    assert search._kept.version == version and "calm" in search._kept.terms


class TestQueryReading:
    @pytest.mark.parametrize(
        "text",
        ["calm", "Calm SLEEP", "the calm of the night", "walking  walks", "the and of", "a a"],
    )
    def test_plain_words_read_as_postgresql_reads_them(self, text, django_assert_num_queries):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT websearch_to_tsquery('english', %s)::text", [text])
            expected = cursor.fetchone()[0]
        with django_assert_num_queries(1):  # PostgreSQL reads it, and says the stems
            assert search.parsed_query(text) == expected
        with django_assert_num_queries(0):  # known stems: no round trip
            assert search.parsed_query(text) == expected

    @pytest.mark.parametrize("text", ['"calm sleep"', "calm -sleep", "calm or sleep", "b12 café"])
    def test_syntax_and_other_words_are_read_by_postgresql(self, text, django_assert_num_queries):
        search._learn_stems({"calm", "sleep", "or", "b12", "café"})
        with django_assert_num_queries(1):
            assert search.parsed_query(text)


def test_stems_learnt_from_queries_are_bounded(monkeypatch):
    monkeypatch.setattr(search, "_STEMS_KEPT", 10)
    for n in range(8):
        search.parsed_query(" ".join(f"zorb{chr(97 + n)}{chr(97 + k)}" for k in range(3)))
    assert 0 < len(search._stems) <= 10


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("anxiety", "Anxieties and anxiety.", "[Anxieties] and [anxiety]."),
        ("sensibility", "Sensibility, not sense.", "[Sensibility], not sense."),
        ("happiness", "Happily happy, happiness.", "Happily [happy], [happiness]."),
    ],
)
def test_forms_whose_stem_is_not_their_prefix_are_marked(commit_callbacks, query, text, expected):
    commit_callbacks(ArticleFactory, standfirst=text)
    (result,) = found(query)
    assert marked(result.snippet) == expected


def test_a_found_article_behaves_as_one_the_orm_loaded(commit_callbacks):
    article = commit_callbacks(
        ArticleFactory, title="Calm jaw", standfirst="Unclench it.", published_at=days_ago(1)
    )
    result = found("jaw")[0]
    assert result == article and hash(result) == hash(article)
    assert result.get_absolute_url() == article.get_absolute_url()
    assert (result.title, result.reading_time) == (article.title, article.reading_time)
    assert result.standfirst == "Unclench it."  # not loaded: fetched when asked for
    assert not result.cover  # the cover's dimensions are not looked for
    result.title = "Calm jaw, renamed"
    result.save(update_fields=["title"])  # an existing row: updated, not inserted
    article.refresh_from_db()
    assert article.title == "Calm jaw, renamed"


def test_a_snippet_fragment_ends_after_its_words_however_long_they_are():
    rng = random.Random(3)
    for _ in range(2_000):
        pieces = ["a", "bb", " ", "  ", "é", "x" * rng.randint(1, 300)]
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        begin, words = rng.randint(0, len(text)), rng.randint(1, 40)
        spaces = [at for at, char in enumerate(text) if char == " " and at > begin]
        expected = spaces[words - 1] if len(spaces) >= words else len(text)
        assert search._after_words(text, begin, words) == expected, (text, begin, words)
