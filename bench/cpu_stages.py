"""Where a request's time goes, in CPU time, which other work on the machine barely moves.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_<yours> \\
        python bench/cpu_stages.py [--queries 60] [--pages 20]

Point it at a database `bench/run --articles 10000 --keep` left behind. For each stage of
a fresh search (ranking the newest matches, the window count, the headlines, the whole
selector, the whole view) and each kind of page (a first render, a kept page, a page
rendered again after a content change with its article's text kept), it prints
the CPU time of this process and of its PostgreSQL backend (read from Linux's
/proc/<pid>/schedstat, so the server must run on this machine): the smallest of three
runs, or the only one for a first visit (each query and article is asked for once; Redis
as bench/run uses it when CACHE_URL points at it, else the per-process cache).
Wall-clock timings on a shared 2-core machine swing by a factor of two; these barely
move. No ratios: bench/run's rounds prove the targets; this shows where to look.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--pages", type=int, default=20)
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
    from django.db.models import Count, Window
    from django.test import Client

    from articles import selectors
    from articles.cache import content_changed
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
        ranked = selectors.article_search(text=text)
        counted = ranked.annotate(found=Window(Count("pk")))[:10]
        return {
            "search: rank the newest matches": lambda: list(ranked[:10]),
            "search: + window count": lambda: list(counted.all()),
            "search: + headlines": lambda: list(selectors.with_snippets(counted, text=text)),
            "search: selector": functools.partial(
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
    # As an editor's save elsewhere (or a new rankings period) does: every page is rendered
    # again, each article's cover, contents and text still kept under its own version.
    content_changed()
    for article in articles:
        stages.setdefault("article: after a content change", []).append(
            cpu_ms(article, pid, repeat=1)
        )
    stages["home: kept"] = [cpu_ms(lambda: get("/"), pid) for _ in range(args.pages)]
    for name, found in stages.items():
        report(name, found)


if __name__ == "__main__":
    main()
