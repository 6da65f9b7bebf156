"""The benchmark measures what it names: readers it sends are counted, data reads like ours."""

from collections import Counter

import pytest
from django.db import connection
from django.urls import Resolver404, resolve

from articles.models import Article
from articles.services import article_refresh_derived_all
from bench.rounds import check_views
from bench.seed import STOP_WORDS, ArticleWriter, seed, vocabulary
from bench.traffic import BROWSER_AGENTS
from popularity.client import is_crawler


def test_the_benchmarks_browsers_are_counted_as_readers():
    # A client the site takes for a crawler counts nothing: the counting round would be empty.
    assert len(BROWSER_AGENTS) >= 8
    assert {agent for agent in BROWSER_AGENTS if is_crawler(agent)} == set()
    assert any("Mobile" in agent for agent in BROWSER_AGENTS)
    assert any("Firefox" in agent for agent in BROWSER_AGENTS)


def test_the_production_urlconf_has_no_baseline():
    with pytest.raises(Resolver404):
        resolve("/__bench__/baseline")


@pytest.mark.django_db
def test_the_bench_urlconf_serves_the_stored_page_beside_the_site(client, settings, tmp_path):
    page = tmp_path / "article.html"
    page.write_bytes(b"<!doctype html><p>stored page</p>")
    settings.ROOT_URLCONF = "bench.urls"
    settings.BENCH_BASELINE_FILE = str(page)

    assert client.get("/__bench__/baseline").content == page.read_bytes()
    assert client.get("/").status_code == 200


def test_articles_read_like_the_real_ones():
    sections = ArticleWriter(7).sections()
    words = sum(len(heading.split()) + len(body.split()) for heading, _, body in sections)

    assert 15 <= len(sections) <= 20
    assert 1_000 <= words <= 1_450
    assert any("<ul><li>" in body for _, _, body in sections)
    assert {level for _, level, _ in sections} == {2, 3}
    assert ArticleWriter(7).sections() == sections  # the same text every run


def test_word_frequencies_are_skewed_like_natural_text():
    words, weights = vocabulary()
    drawn = Counter(ArticleWriter(1).draw(20_000))

    assert len(words) == len(set(words)) == 5_000
    assert words[:3] == ["a", "the", "and"]  # the demo articles' own most used words
    # Zipf: the top 100 words make about half of all text, as in English.
    top = sum(n for _, n in drawn.most_common(100))
    assert 0.4 < top / 20_000 < 0.7
    assert len(drawn) > 2_000


@pytest.mark.django_db(transaction=True)
def test_seeded_articles_are_published_and_found_by_search(client):
    connection.ensure_connection()  # the test may be the first to use it
    counts = seed(connection.connection, articles=20)
    article_refresh_derived_all()

    assert counts["articles_article"] == 20
    assert 15 * 20 <= counts["articles_section"] <= 20 * 20
    article = Article.objects.published().get(pk=10)
    assert client.get(article.get_absolute_url()).status_code == 200
    word = next(w for w in article.title.lower().split() if w.isalpha() and w not in STOP_WORDS)
    assert article.get_absolute_url() in client.get("/search/", {"q": word}).content.decode()


@pytest.mark.parametrize(
    ("recorded", "honest"),
    [(0, False), (99, False), (100, True), (116, True), (117, False)],
)
def test_the_counting_round_fails_unless_every_answered_page_was_counted(recorded, honest):
    # 100 pages answered 2xx, 16 requests cut off by wrk's end (the server still answers them).
    result = {"counts": {"sent": 116, "ok": 100, "redirected": 0, "failed": 0}}

    assert (check_views(result, recorded) is None) is honest


@pytest.mark.django_db
def test_cpu_stages_tells_postgresqls_work_from_pythons():
    from bench.cpu_stages import cpu_ms

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()

        def database_work():
            cursor.execute("SELECT count(*) FROM generate_series(1, 3000000)")
            cursor.fetchone()

        database, python = cpu_ms(database_work, pid)
        in_python, _ = cpu_ms(lambda: sum(range(3_000_000)), pid)
    assert database > 20 * python and database > 20
    assert in_python < 1


def test_a_run_after_an_editors_save_is_compared_with_the_baseline_just_before_it():
    from bench.report import summarise
    from bench.rounds import BASELINE, MIXED_WARM

    def run(rps, **more):
        return {"rps": rps, "p50": 1.0, "p99": 2.0, "errors": 0, **more}

    found = {
        BASELINE: [run(1000), run(1000)],
        # Its own baselines ran slower (the machine got busier): its ratio says so.
        MIXED_WARM: [run(200, base=500), run(300, base=500)],
    }
    assert summarise(found)[MIXED_WARM]["ratio"] == pytest.approx(0.5)


def test_cpu_stages_replays_the_mixed_rounds_shares():
    from bench.cpu_stages import mixed_requests

    slugs, tags, words = [f"a{n}" for n in range(1000)], ["t1", "t2"], [f"w{n}" for n in range(50)]
    kinds = Counter(
        kind for kind, _ in mixed_requests(4000, slugs=slugs, tags=tags, words=words, seed=1)
    )
    paths = [
        path for kind, path in mixed_requests(4000, slugs=slugs, tags=tags, words=words, seed=1)
    ]

    assert 0.66 < kinds["article"] / 4000 < 0.74
    assert 0.03 < kinds["search, new words"] / 4000 < 0.07
    assert (
        0.25 < sum("?" in p for p in paths if p.startswith("/articles/")) / kinds["article"] < 0.4
    )
    # The first articles are asked for most, as in bench/lua/mixed.lua.
    assert paths.count("/articles/a0/") > paths.count("/articles/a999/")


@pytest.mark.django_db
def test_the_editors_save_fixes_one_word_of_the_newest_article(commit_callbacks):
    from bench.editing import editor_fixes_a_word
    from tests.factories import ArticleFactory, SectionFactory

    older, newest = ArticleFactory(), ArticleFactory()
    for article in (older, newest):
        SectionFactory(article=article, position=1, body="<p>Breathe in the calm of the day.</p>")
    commit_callbacks(editor_fixes_a_word)
    assert newest.sections.get().body == "<p>Breathe in teh calm of the day.</p>"
    assert older.sections.get().body == "<p>Breathe in the calm of the day.</p>"
    commit_callbacks(editor_fixes_a_word)
    assert newest.sections.get().body == "<p>Breathe in the calm of the day.</p>"
