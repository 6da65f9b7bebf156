"""Driver for bench/run. Prints requests/s, p50/p99 latency, ratio to the baseline, queries.

Every round proves it measured what it names, or the run fails (exit 1): the counting round
must raise the recorded views by its number of 2xx answers, fresh searches must each be a
query not asked before, and no round may get an error. Missed speed or memory targets are
reported but do not fail the run, so every number is always shown.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.report import report  # noqa: E402
from bench.rounds import BASELINE, FRESH, MEMORY_REQUESTS, REPEATED, measure_size  # noqa: E402
from bench.stack import Site, query_counts, redis_client  # noqa: E402
from bench.wrk import Queries  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--duration", type=int, default=4, help="seconds of load per page and round"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds over every page, baseline included: ratios are taken within each "
        "round (so a machine slowing down mid-run moves both sides) and the median kept",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="numbers of articles to seed and measure in turn, comma-separated",
    )
    parser.add_argument("--articles", type=int, help="one size only (instead of --sizes)")
    parser.add_argument(
        "--memory-requests",
        type=int,
        default=MEMORY_REQUESTS,
        help="requests with distinct fbclid values for the memory growth check (0: skip)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the last size's bench_* database afterwards"
    )
    args = parser.parse_args()
    sizes = [args.articles] if args.articles else [int(n) for n in args.sizes.split(",")]

    work = Path(tempfile.mkdtemp(prefix="hisbench"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user and must read the page
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
        BENCH_BASELINE_FILE=str(work / "site" / "article.html"),
        TRUSTED_PROXY_COUNT="1",
        # The load comes from one client: measure search itself, not its rate limit.
        SEARCH_RATE_LIMIT="100000000/60",
        LOG_LEVEL="ERROR",
    )
    redis_note = "no Redis: view counts written straight to PostgreSQL, per-process cache"
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    redis = redis_client(redis_url)
    if redis is not None:
        # As docker-compose runs it: shared cache and buffered view counts in Redis (one
        # database, emptied before and after each size).
        env.update(
            CACHE_URL=redis_url, REDIS_URL=redis_url, POPULARITY_REDIS_PREFIX="bench-popularity"
        )
        redis_note = f"Redis at {redis_url}: shared cache and buffered view counts"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": os.environ["DATABASE_URL"]},
        check=True,
        capture_output=True,
    )
    queries = Queries(seed=16)
    failures, reports = [], []
    try:
        for articles in sizes:
            print(f"» {articles:,} articles", flush=True)
            site = Site(articles, args, work, env, redis)
            try:
                site.start()
                pages = [
                    (BASELINE, "/__bench__/baseline", True),
                    ("home", "/", True),
                    ("article (counting views)", site.article_path, True),
                    ("tag", f"/tags/{site.tags[0]}/", True),
                    ("popular", "/popular/", True),
                    ("search (a query asked again)", f"/search/?q={REPEATED}", True),
                    (FRESH, "/search/?" + urllib.parse.urlencode({"q": queries.new()}), False),
                    ("sitemap", "/sitemap-articles.xml", True),
                ]
                counts = query_counts(site.env, pages)
                problems: list[str] = []
                measured = measure_size(site, args, queries, problems)
                reports.append((articles, measured, counts, len(site.page)))
                if problems:
                    failures += [f"{articles:,} articles: {problem}" for problem in problems]
                    log = ROOT / "bench" / "results" / f"gunicorn-{articles}.log"
                    log.parent.mkdir(exist_ok=True)
                    shutil.copy(work / "gunicorn.log", log)
                    failures.append(f"{articles:,} articles: the server's log is in {log}")
            finally:
                site.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for articles, measured, counts, page_bytes in reports:
        report(articles, measured, counts, args, page_bytes)
    print(f"\n{redis_note}")
    if failures:
        print(
            "\nFAILED: rounds that got errors or could not prove what they measured:",
            file=sys.stderr,
        )
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
