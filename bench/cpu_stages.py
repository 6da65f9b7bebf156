"""Where a request's time goes, in CPU time, which other work on the machine barely moves.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_<yours> \\
        python bench/cpu_stages.py [--queries 60] [--pages 20] [--mixed 1500]

Point it at a database `bench/run --articles 10000 --keep` left behind. For each stage of
a fresh search (ranking the newest matches, the whole selector with the shown page's
articles and headlines, the whole view) and each kind of page (a first render, a kept
page, a page rendered again in a new rankings period or after a content change), it prints
the CPU time of this process and of its PostgreSQL backend (read from Linux's
/proc/<pid>/schedstat, so the server must run on this machine): the smallest of three
runs, or the only one for a first visit (each query and article is asked for once; Redis
as bench/run uses it when CACHE_URL points at it, else the per-process cache).
`--mixed N` also replays N requests of the mixed round (bench/lua/mixed.lua's shares),
from an emptied cache and again after an editor's save, per kind of request.
Wall-clock timings on a shared 2-core machine swing by a factor of two; these barely
move. No ratios: bench/run's rounds prove the targets; this shows where to look.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def backend_cpu_ns(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0])


def cpu_ms(run: Callable[[], object], pid: int, repeat: int = 3) -> tuple[float, float]:
    """(PostgreSQL, Python) CPU milliseconds of `run`, the smallest of `repeat` runs."""
    database = python = float("inf")
    for _ in range(repeat):
        db_start, py_start = backend_cpu_ns(pid), time.thread_time_ns()
        run()
        python = min(python, (time.thread_time_ns() - py_start) / 1e6)
        database = min(database, (backend_cpu_ns(pid) - db_start) / 1e6)
    return database, python


def report(name: str, found: list[tuple[float, float]]) -> None:
    db = statistics.median(d for d, _ in found)
    py = statistics.median(p for _, p in found)
    total = sorted(d + p for d, p in found)
    print(
        f"{name:<34} PostgreSQL {db:6.1f}  Python {py:6.1f}  total {statistics.median(total):6.1f}"
        f"  (p90 {total[int(0.9 * len(total))]:6.1f}) ms"
    )


def mixed_requests(n: int, *, slugs: list[str], tags: list[str], words: list[str], seed: int):
    """`n` (kind, path) as bench/lua/mixed.lua picks them: 70 % article pages (the first
    slugs most; a third with tracking parameters), 7.5 % home, 7.5 % tag pages, 5 % a
    popular search again, 5 % new words, 5 % popular."""
    rng = random.Random(seed)

    def skewed(items: list[str]) -> str:
        return items[min(int(len(items) ** rng.random()), len(items)) - 1]

    repeated = [f"{words[i]} {words[i + 1]}" for i in range(0, 10, 2)]
    tracking = [
        "utm_source=newsletter&utm_medium=email&utm_campaign=c7",
        "fbclid=IwAR",
        "gclid=Cj0",
    ]
    for _ in range(n):
        r = rng.random()
        if r < 0.70:
            path = f"/articles/{skewed(slugs)}/"
            if rng.randrange(3) == 0:
                path += f"?{rng.choice(tracking)}{rng.getrandbits(64):x}"
            yield "article", path
        elif r < 0.775:
            yield "home", "/"
        elif r < 0.85:
            yield "tag", f"/tags/{skewed(tags)}/"
        elif r < 0.90:
            yield "search again", "/search/?" + urlencode({"q": rng.choice(repeated)})
        elif r < 0.95:
            query = " ".join(skewed(words) for _ in range(rng.randint(1, 3)))
            yield "search, new words", "/search/?" + urlencode({"q": query})
        else:
            yield "popular", "/popular/"


def report_mixed(name: str, found: list[tuple[str, float]]) -> None:
    """Per kind of request: its share, its median CPU and its share of all the CPU."""
    total = sum(ms for _, ms in found)
    print(f"{name}: {total / len(found):.1f} ms of CPU a request over {len(found):,}")
    kinds: dict[str, list[float]] = {}
    for kind, ms in found:
        kinds.setdefault(kind, []).append(ms)
    for kind, mine in sorted(kinds.items(), key=lambda item: -sum(item[1])):
        print(
            f"  {kind:<22} {len(mine) / len(found):4.0%} of requests,"
            f" {statistics.median(mine):5.1f} ms each (median), {sum(mine) / total:4.0%} of the CPU"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument(
        "--mixed",
        type=int,
        default=0,
        help="also replay this many requests of the mixed round, from an emptied cache and "
        "after an editor's save (every article asked for visited before)",
    )
    args = parser.parse_args()
    # As bench/run starts the site: production settings, one client asking everything.
    for name, value in {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-cpu-stages-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SEARCH_RATE_LIMIT": "100000000/60",
        "TRUSTED_PROXY_COUNT": "1",
    }.items():
        os.environ.setdefault(name, value)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from articles import selectors
    from articles.cache import content_changed
    from bench.seed import content_words
    from bench.traffic import BROWSER_AGENTS
    from bench.wrk import Queries

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
        cursor.execute("SELECT slug FROM articles_article ORDER BY id")
        slugs = [slug for (slug,) in cursor.fetchall()]
    client = Client()
    readers = iter(range(1, 10**9))

    def get(path: str, **params) -> None:
        reader = next(readers)
        answer = client.get(
            path,
            params,
            HTTP_HOST="127.0.0.1",
            HTTP_USER_AGENT=BROWSER_AGENTS[reader % len(BROWSER_AGENTS)],
            HTTP_X_FORWARDED_FOR=f"fd00::{reader:x}",
        )
        assert answer.status_code == 200, (path, params, answer.status_code)

    get("/")

    def search_stages(text: str) -> dict[str, Callable[[], object]]:
        return {
            "search: rank the newest matches": functools.partial(
                selectors.article_search_ranking, text=text
            ),
            "search: selector (+ page, headlines)": functools.partial(
                selectors.article_search_page, text=text, number=1, per_page=10
            ),
        }

    stages: dict[str, list[tuple[float, float]]] = {}
    for text in Queries(seed=16).batch(args.queries):
        for name, run in search_stages(text).items():
            stages.setdefault(name, []).append(cpu_ms(run, pid))
        # Each query and article once: a first visit (a second would be a kept page).
        stages.setdefault("search: whole view, new query", []).append(
            cpu_ms(functools.partial(get, "/search/", q=text), pid, repeat=1)
        )
    articles = [
        functools.partial(get, f"/articles/{slugs[(n * 331) % len(slugs)]}/")
        for n in range(args.pages)
    ]
    for article in articles:
        stages.setdefault("article: first render", []).append(cpu_ms(article, pid, repeat=1))
        stages.setdefault("article: kept, view counted", []).append(cpu_ms(article, pid))
    # What a live site does to every article page each rankings period (five minutes):
    # Popular Posts may have moved, so its ETag and the page kept under it are new.
    with new_rankings_period():
        for article in articles:
            stages.setdefault("article: new rankings period", []).append(
                cpu_ms(article, pid, repeat=1)
            )
    # As an editor's save elsewhere (or a new rankings period) does: every page is rendered
    # again, each article's cover, contents and text still kept under its own version.
    content_changed()
    for article in articles:
        stages.setdefault("article: after a content change", []).append(
            cpu_ms(article, pid, repeat=1)
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.slug FROM taggit_tag t JOIN articles_taggedarticle ta"
            " ON ta.tag_id = t.id GROUP BY t.slug ORDER BY count(*) DESC, t.slug"
        )
        tags = [slug for (slug,) in cursor.fetchall()]
    # The pages bench/run asks for again and again (each kept after its first answer).
    again = "+".join(content_words()[:2])
    for name, path in [
        ("home: kept", "/"),
        ("tag: kept", f"/tags/{tags[0]}/"),
        ("popular: kept", "/popular/"),
        ("search asked again: kept", f"/search/?q={again}"),
    ]:
        stages[name] = [cpu_ms(functools.partial(get, path), pid) for _ in range(args.pages)]
    for name, found in stages.items():
        report(name, found)
    if args.mixed:
        requests = list(
            mixed_requests(args.mixed, slugs=slugs, tags=tags, words=content_words(), seed=16)
        )
        replay_mixed(requests, get, pid)


@contextlib.contextmanager
def new_rankings_period():
    """As when the next rankings period begins (popularity.rankings.rankings_period): another
    period length gives another period number."""
    from django.conf import settings
    from django.test import override_settings

    with override_settings(
        POPULARITY_RANKING_CACHE_SECONDS=settings.POPULARITY_RANKING_CACHE_SECONDS + 1
    ):
        yield


def replay_mixed(requests: list[tuple[str, str]], get: Callable[[str], None], pid: int) -> None:
    """The mixed round's CPU from an emptied cache, then as a live site sees it: each
    article it asks for visited once, an editor's save, and the same requests again."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from articles.cache import canonical_path
    from bench.editing import editor_fixes_a_word

    def replay() -> list[tuple[str, float]]:
        seen: set[str] = set()
        found = []
        for kind, path in requests:
            database, python = cpu_ms(functools.partial(get, path), pid, repeat=1)
            if kind == "article":
                canonical = canonical_path(RequestFactory().get(path))
                kind = "article, kept" if canonical in seen else "article, first visit"
                seen.add(canonical)
            found.append((kind, database + python))
        return found

    # Its own keys only (django-redis), not the view counts buffered beside them.
    getattr(cache, "delete_pattern", lambda pattern: cache.clear())("*")
    report_mixed("mixed round from an emptied cache", replay())
    for path in {path.partition("?")[0] for kind, path in requests if kind == "article"}:
        get(path)
    editor_fixes_a_word()  # committed: new versions of the pages showing that article's text
    report_mixed("the same after each article was visited and an editor fixed a word", replay())
    # The next five minutes: every kept article page carries the old rankings period.
    with new_rankings_period():
        report_mixed("the same again in the next rankings period", replay())


if __name__ == "__main__":
    main()
