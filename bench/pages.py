"""Driver for bench/run. Prints requests/s, p50/p99 latency, ratio to the baseline, queries.

Every round proves it measured what it names, or the run fails (exit 1): the counting round
must raise the recorded views by its number of 2xx answers, fresh searches must each be a
query not asked before, and no round may get an error. Missed speed or memory targets are
reported but do not fail the run, so every number is always shown.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path

import dj_database_url
import psutil
import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.seed import content_words, seed  # noqa: E402
from bench.traffic import BROWSER_AGENTS, wrk_script  # noqa: E402

FRESH_QUERIES = 200
FRESH_CONNECTIONS = 4
MEMORY_REQUESTS = 20_000

# (lowest ratio to the baseline, highest p99 in ms) per round, from issue 16.
TARGETS = {
    "article (counting views)": (0.5, 50),
    "home": (0.5, 50),
    "tag": (0.5, 50),
    "popular": (0.5, 50),
    "search (a query asked again)": (0.4, None),
    "mixed traffic": (0.4, 100),
}
FRESH_P50_MS, FRESH_P99_MS = 60, 200  # at 10,000 articles
WORKER_RSS_MB, WORKER_GROWTH_MB = 150, 10

# The search asked again and again: the vocabulary's two most used words a reader types.
REPEATED = "+".join(content_words()[:2])
BASELINE = "baseline (stored page through Django)"
FRESH = f"search (new queries, {FRESH_CONNECTIONS} connections)"


class Dishonest(Exception):
    """A round did not measure what it names: its numbers must not be trusted."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_connection(url: str, dbname: str):
    config = dj_database_url.parse(url)
    return psycopg2.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname=dbname,
    )


def bench_db_name(base_url: str) -> str:
    # Named after the caller's database, so two people benchmarking on one server never
    # drop each other's data.
    return f"bench_{dj_database_url.parse(base_url)['NAME']}"


def recreate_database(base_url: str, name: str, *, create: bool = True) -> None:
    conn = server_connection(base_url, "postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def redis_client(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        return None
    return client


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


_runs = iter(range(1, 1_000_000))


def run_wrk(
    url: str, script: str, *, work: Path, duration: int, connections: int, limit=None, **tables
) -> dict:
    """One wrk run with lua/<script>.lua; its latency, rate, errors and the script's counts."""
    lua = work / f"{script}.lua"
    lua.write_text(wrk_script(script, run=next(_runs), limit=limit, **tables))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(lua)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latencies = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "50" not in latencies:
        raise RuntimeError(f"wrk finished no request against {url}:\n{out}")
    counts = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out.split("bench:", 1)[1])}
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(latencies["50"]),
        "p99": to_ms(latencies["99"]),
        "errors": counts["failed"] + (sum(map(int, sockets.groups())) if sockets else 0),
        "counts": counts,
        "detail": (sockets.group(0) if sockets else "") + f" {counts['failed']} answers 4xx/5xx",
    }


class Queries:
    """One- to three-word queries from the vocabulary (common words more often, as readers
    type them), each a set of words never asked before in this run."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words = content_words()
        self.asked: set[frozenset[str]] = set()

    def new(self) -> str:
        while True:
            count = self.rng.randint(1, 3)
            words = [
                self.words[int(len(self.words) ** self.rng.random()) - 1] for _ in range(count)
            ]
            key = frozenset(words)
            if len(key) == count and key not in self.asked:
                self.asked.add(key)
                return " ".join(words)

    def batch(self, n: int) -> list[str]:
        return [self.new() for _ in range(n)]


def fresh_searches(host: str, port: int, queries: list[str]) -> dict:
    """Each query once, from FRESH_CONNECTIONS keep-alive clients; exact latencies."""
    todo = list(enumerate(queries))
    lock = threading.Lock()
    results: list[tuple[float, int, bool]] = []

    def client(number: int) -> None:
        conn = HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                if not todo:
                    break
                index, query = todo.pop()
            path = "/search/?" + urllib.parse.urlencode({"q": query})
            headers = {
                "User-Agent": BROWSER_AGENTS[index % len(BROWSER_AGENTS)],
                "X-Forwarded-For": f"fd00:ffff:{number:x}::{index:x}",
            }
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            body = answer.read().decode()
            elapsed = (time.perf_counter() - started) * 1000
            if answer.getheader("Connection", "").lower() == "close":
                conn.close()
            # The page answers this query: it shows what was typed.
            echoed = html.escape(query) in body
            with lock:
                results.append((elapsed, answer.status, echoed))
        conn.close()

    started = time.perf_counter()
    clients = [threading.Thread(target=client, args=(n,)) for n in range(FRESH_CONNECTIONS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    wall = time.perf_counter() - started
    latencies = sorted(elapsed for elapsed, _, _ in results)
    errors = sum(1 for _, status, _ in results if status >= 400)
    return {
        "unechoed": sum(1 for _, status, echoed in results if status < 400 and not echoed),
        "rps": len(results) / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[math.ceil(0.99 * len(latencies)) - 1],
        "errors": errors,
        "counts": {"ok": len(results) - errors},
    }


@dataclass
class Site:
    """One seeded database and the servers in front of it."""

    articles: int
    args: argparse.Namespace
    work: Path
    base_env: dict
    redis: object | None
    env: dict = field(default_factory=dict)
    processes: list = field(default_factory=list)

    def manage(self, *command: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def sql(self, query: str):
        conn = server_connection(self.env["DATABASE_URL"], self.db)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(query)
            rows = cursor.fetchall() if cursor.description else None
        conn.close()
        return rows

    @property
    def db(self) -> str:
        return bench_db_name(os.environ["DATABASE_URL"])

    def start(self) -> None:
        recreate_database(os.environ["DATABASE_URL"], self.db)
        self.env = {
            **self.base_env,
            "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + self.db,
        }
        if self.redis is not None:
            self.redis.flushdb()
        self.manage("migrate", "--noinput")
        started = time.monotonic()
        conn = server_connection(self.env["DATABASE_URL"], self.db)
        counts = seed(conn, articles=self.articles)
        conn.close()
        seeded = time.monotonic() - started
        self.manage("refresh_derived")
        # The refresh rewrote every article row: vacuum now, or autovacuum does it in the
        # middle of the measurements (seen as a dip of a third on the pages it overlapped).
        self.sql("VACUUM (ANALYZE)")
        ((vector,),) = self.sql("SELECT avg(pg_column_size(search_vector)) FROM articles_article")
        print(
            f"  seeded {self.articles:,} articles in {seeded:.1f}s, vectors and reading times"
            f" in {time.monotonic() - started - seeded:.1f}s: "
            + ", ".join(f"{table} {n:,}" for table, n in counts.items())
            + f"; search vector {vector / 1024:.1f} KB an article",
            flush=True,
        )
        self.port = free_port()
        self.processes.append(
            subprocess.Popen(
                gunicorn_command(self.port),
                cwd=ROOT,
                env=self.env,
                stdout=(self.work / "gunicorn.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        self.app = f"http://127.0.0.1:{self.port}"
        wait_for(f"{self.app}/healthz")
        self.slugs = [slug for (slug,) in self.sql("SELECT slug FROM articles_article ORDER BY id")]
        self.tags = [
            slug
            for (slug,) in self.sql(
                "SELECT t.slug FROM taggit_tag t JOIN articles_taggedarticle ta ON ta.tag_id = t.id"
                " GROUP BY t.slug ORDER BY count(*) DESC, t.slug"
            )
        ]
        self.article_path = f"/articles/{self.slugs[len(self.slugs) // 2]}/"
        status, page = fetch(self.app + self.article_path)
        if status != 200:
            raise RuntimeError(f"the article page answered {status}")
        self.page = page.encode()
        (self.work / "site").mkdir(exist_ok=True)
        (self.work / "site" / "article.html").write_bytes(self.page)
        self.nginx_port = free_port()
        (self.work / "nginx.conf").write_text(f"""
worker_processes 2; daemon off; pid {self.work}/nginx.pid; error_log {self.work}/nginx.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  server {{ listen 127.0.0.1:{self.nginx_port}; root {self.work}/site;
    location / {{ default_type text/html; }} }} }}
""")
        self.processes.append(
            subprocess.Popen(
                ["nginx", "-c", str(self.work / "nginx.conf"), "-p", str(self.work)],
                stderr=(self.work / "nginx.stderr").open("w"),
            )
        )
        wait_for(f"http://127.0.0.1:{self.nginx_port}/article.html")

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        self.processes.clear()
        if not self.args.keep:
            recreate_database(os.environ["DATABASE_URL"], self.db, create=False)
        if self.redis is not None:
            self.redis.flushdb()

    def views_recorded(self) -> int:
        """Views in PostgreSQL once the Redis buffer is written out, as the scheduler does."""
        time.sleep(0.5)  # requests wrk cut off at its end are still being answered
        self.manage("popularity_flush")
        ((total,),) = self.sql("SELECT coalesce(sum(views), 0) FROM popularity_dailyview")
        return int(total)

    def worker_rss(self) -> dict[int, int]:
        gunicorn = psutil.Process(self.processes[0].pid)
        return {child.pid: child.memory_info().rss for child in gunicorn.children()}


def gunicorn_command(port: int) -> list[str]:
    # The one place the benchmark says how gunicorn runs.
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--log-level",
        "warning",
        # One line per request would be the bench's only output.
        "--access-logfile",
        "/dev/null",
    ]


@dataclass
class Round:
    name: str
    url: str
    script: str = "plain"
    proof: object = None  # (status, body) -> None, raises Dishonest
    tables: dict = field(default_factory=dict)


def links_articles(status: int, body: str) -> None:
    if status != 200 or 'href="/articles/' not in body:
        raise Dishonest(f"answered {status} without article links")


def measure_size(site: Site, args, queries: Queries, problems: list[str]) -> dict:
    """Every round, every time; what a round could not prove goes to `problems`."""
    app, duration, connections = site.app, args.duration, args.connections
    words = content_words()
    mixed_tables = {
        "SLUGS": site.slugs,
        "TAGS": site.tags,
        "WORDS": words,
        "REPEATED": ["+".join(words[i : i + 2]) for i in range(0, 10, 2)],
    }

    def same_page(status: int, body: str) -> None:
        if status != 200 or body.encode() != site.page:
            raise Dishonest("the baseline does not serve the stored article page")

    def sitemap(status: int, body: str) -> None:
        if status != 200 or "<loc>" not in body:
            raise Dishonest("the sitemap lists nothing")

    rounds = [
        Round(BASELINE, app + "/__bench__/baseline", proof=same_page),
        Round("article (counting views)", app + site.article_path, "reader", links_articles),
        Round("home", app + "/", proof=links_articles),
        Round("tag", f"{app}/tags/{site.tags[0]}/", proof=links_articles),
        Round("popular", app + "/popular/", proof=links_articles),
        Round("search (a query asked again)", f"{app}/search/?q={REPEATED}", proof=links_articles),
        Round(FRESH, ""),
        Round("sitemap", app + "/sitemap.xml", proof=sitemap),
        Round("static file via nginx", f"http://127.0.0.1:{site.nginx_port}/article.html"),
        # Last, so the workers' memory is read right after it.
        Round("mixed traffic", app + "/", "mixed", tables=mixed_tables),
    ]
    wrk_args = {"work": site.work, "duration": duration, "connections": connections}
    print("  warming up ...", flush=True)
    for round_ in rounds:
        if round_.name == FRESH:
            fresh_searches("127.0.0.1", site.port, queries.batch(40))
            continue
        if round_.proof:
            try:
                round_.proof(*fetch(round_.url))
            except Dishonest as error:
                problems.append(f"{round_.name}: {error}")
        run_wrk(round_.url, round_.script, **{**wrk_args, "duration": 2}, **round_.tables)
    found = {r.name: [] for r in rounds}
    for number in range(1, args.rounds + 1):
        print(f"  round {number} of {args.rounds} ...", flush=True)
        for round_ in rounds:
            if round_.name == FRESH:
                result = fresh_searches("127.0.0.1", site.port, queries.batch(FRESH_QUERIES))
                if result["unechoed"]:
                    problems.append(
                        f"{FRESH}: {result['unechoed']} pages in round {number} do not show"
                        " the query they were asked"
                    )
                found[FRESH].append(result)
                continue
            counting = round_.script == "reader"
            before = site.views_recorded() if counting else 0
            result = run_wrk(round_.url, round_.script, **wrk_args, **round_.tables)
            if counting and (mismatch := check_views(result, site.views_recorded() - before)):
                problems.append(f"{mismatch} in round {number}")
            if result["errors"]:
                problems.append(
                    f"{round_.name}: {result['errors']} errors in round {number}"
                    f" ({result['detail']})"
                )
            found[round_.name].append(result)
    rss = site.worker_rss()
    memory = {"after mixed": rss}
    if args.memory_requests:
        print(f"  {args.memory_requests:,} requests with distinct fbclid values ...", flush=True)
        answered = 0
        while answered < args.memory_requests:
            # wrk runs its whole duration even once every thread has stopped: short runs,
            # each thread stopping at its share of what is left.
            left = args.memory_requests - answered
            result = run_wrk(
                app + site.article_path,
                "fbclid",
                **{**wrk_args, "duration": 5},
                limit=-(-left // 2),
            )
            if result["errors"]:
                problems.append(f"fbclid requests: {result['errors']} errors ({result['detail']})")
            if not result["counts"]["ok"]:
                break
            answered += result["counts"]["ok"]
        memory["answered"] = answered
        memory["after fbclid"] = site.worker_rss()
    return {"rounds": found, "memory": memory}


def check_views(result: dict, recorded: int) -> str | None:
    """The counted round's proof. Every 2xx answer must be one view. wrk stops with up to one
    request per connection unanswered, which the server still answers (and counts)."""
    counts = result["counts"]
    answered, unanswered = counts["ok"], counts["sent"] - counts["ok"] - counts["failed"]
    result["views"] = (recorded, answered, unanswered)
    if not answered <= recorded <= answered + unanswered:
        return (
            f"article (counting views): {answered:,} pages answered 2xx"
            + (f" (and {unanswered} cut off by wrk's end)" if unanswered else "")
            + f" but {recorded:,} views recorded"
        )
    return None


def summarise(found: dict[str, list[dict]]) -> dict[str, dict]:
    """Per round: medians over the rounds of req/s, p50 and p99, the worst round's p99, and
    the median of the rounds' ratios to the baseline measured in the same round."""
    base = [r["rps"] for r in found[BASELINE]]
    return {
        name: {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "p99_max": max(r["p99"] for r in runs),
            "ratio": statistics.median(r["rps"] / b for r, b in zip(runs, base, strict=True)),
            "errors": sum(r["errors"] for r in runs),
        }
        for name, runs in found.items()
    }


def verdict(name: str, r: dict, articles: int) -> str:
    if name == FRESH:
        if articles < 10_000:
            return "-"
        missed = []
        if r["p50"] >= FRESH_P50_MS:
            missed.append(f"p50 ≥ {FRESH_P50_MS}")
        if r["p99"] >= FRESH_P99_MS:
            missed.append(f"p99 ≥ {FRESH_P99_MS}")
        return "MISSED " + ", ".join(missed) if missed else "ok"
    if name not in TARGETS:
        return "-"
    ratio, p99 = TARGETS[name]
    missed = []
    if r["ratio"] < ratio:
        missed.append(f"< {ratio}×")
    if p99 is not None and r["p99"] >= p99:
        missed.append(f"p99 ≥ {p99}")
    return "MISSED " + ", ".join(missed) if missed else "ok"


def report(articles: int, measured: dict, queries: dict, args, page_bytes: int) -> None:
    results = summarise(measured["rounds"])
    print(
        f"\n{articles:,} articles: {args.connections} connections, {args.rounds} rounds of "
        f"{args.duration}s per page (medians over the rounds; p99 max: the worst round; "
        f"× base: the median of each round's ratio), article page {page_bytes / 1024:.0f} KB, "
        f"{os.cpu_count()} cores\n"
    )
    columns = ("page", "req/s", "p50 ms", "p99 ms", "p99 max", "× base", "errors", "queries")
    header = f"{columns[0]:40}" + "".join(f" {c:>8}" for c in columns[1:]) + "  target"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        print(
            f"{name:40} {r['rps']:>8.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['p99_max']:>8.2f} "
            f"{r['ratio']:>8.2f} {r['errors']:>8} {queries.get(name, '-')!s:>8}  "
            + verdict(name, r, articles)
        )
    counted = [r["views"] for r in measured["rounds"]["article (counting views)"]]
    print(
        "\nviews recorded / 2xx answers (+ cut off by wrk's end) per counting round: "
        + ", ".join(f"{v:,}/{a:,} (+{u})" for v, a, u in counted)
    )
    mixed = measured["rounds"]["mixed traffic"][-1]["counts"]
    sent = mixed["sent"]
    print(
        "mixed traffic (last round): "
        + ", ".join(
            f"{key.replace('_', ' ')} {mixed[key] / sent:.0%}"
            for key in ("articles", "home", "tags", "searches_again", "searches_new", "popular")
        )
        + f"; {mixed['tracked'] / max(mixed['articles'], 1):.0%} of article pages tracked"
    )
    memory = measured["memory"]
    after = memory["after mixed"]
    line = "gunicorn workers RSS after the mixed round: " + ", ".join(
        f"{rss / 2**20:.0f} MB" for rss in after.values()
    )
    fits = max(after.values()) <= WORKER_RSS_MB * 2**20
    line += f" (target ≤ {WORKER_RSS_MB} MB: {'ok' if fits else 'MISSED'})"
    print(line)
    if "after fbclid" in memory:
        later = memory["after fbclid"]
        growth = [
            (later[pid] - rss) / 2**20 if pid in later else None for pid, rss in after.items()
        ]
        shown = ", ".join("restarted" if g is None else f"{g:+.1f} MB" for g in growth)
        worst = max((g for g in growth if g is not None), default=0)
        print(
            f"growth over {memory['answered']:,} requests with distinct fbclid values: {shown}"
            f" (target < {WORKER_GROWTH_MB} MB: {'ok' if worst < WORKER_GROWTH_MB else 'MISSED'})"
        )


QUERY_COUNT_SCRIPT = """
import json, sys
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
found = {}
for name, path, warm in json.loads(sys.argv[2]):
    if warm:
        client.get(path)  # warm the caches a reader would find warm
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    found[name] = len(ctx.captured_queries)
print(json.dumps(found))
"""


def query_counts(env: dict, pages: list[tuple[str, str, bool]]) -> dict[str, int]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, sys; django.setup(); exec(sys.argv[1])",
            QUERY_COUNT_SCRIPT,
            json.dumps(pages),
        ],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"counting the pages' SQL queries failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


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
                    ("sitemap", "/sitemap.xml", True),
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
