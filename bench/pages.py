"""Driver for bench/run. Prints requests/s, p50/p99 latency, ratio to the baseline, queries."""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import dj_database_url
import psutil
import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.seed import seed  # noqa: E402

BENCH_DB = "bench_happyinnerself"
# wrk runs one Lua state per thread, each counting from zero: without the thread's number
# and the run's (RUN, a different one for every wrk run) in each address, the threads and
# the runs would ask the same addresses, and kept pages or the per-reader cap would answer.
THREAD_IDS_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
counter = 0
"""
# Each request comes from a new reader (a new client address), so the article page pays for
# counting every time instead of hitting the per-reader daily cap: 10.RUN.x.y, 32,768
# addresses per thread and run.
NEW_READER_LUA = (
    THREAD_IDS_LUA
    + """
request = function()
  counter = counter + 1
  local x = (tid - 1) * 128 + math.floor(counter / 256) % 128
  local ip = string.format("10.%d.%d.%d", RUN % 256, x, counter % 256)
  return wrk.format(nil, nil, {["X-Forwarded-For"] = ip})
end
"""
)


# A different search every time (no kept page can answer): words a reader might type.
# Each word's ranked list is kept once asked for (as it would be on a live site); the
# combination, and so the count, the ranking and the snippets, is new.
READER_WORDS = (
    "stress sleep botox twitching anxiety grief walk therapist journal breathing jaw "
    "burnout neurologist daylight worry"
)
# Words in every one of the 10,000 articles (title and standfirst): each pair matches all.
EVERYWHERE_WORDS = "calm practice number breathing sleep face twitching stress settles body"
NEW_QUERY_LUA = (
    THREAD_IDS_LUA
    + """
words = {WORDS}
request = function()
  counter = counter + 1
  local a = words[(counter % #words) + 1]
  local b = words[(math.floor(counter / #words) % #words) + 1]
  local n = RUN .. "-" .. tid .. "-" .. counter
  return wrk.format(nil, "/search/?q=" .. a .. "+" .. b .. "&n=" .. n)
end
"""
)


def new_query_lua(words: str) -> str:
    table = "{" + ", ".join(f'"{word}"' for word in words.split()) + "}"
    return NEW_QUERY_LUA.replace("{WORDS}", table)


def article_link_count(html: str) -> int:
    return len(re.findall(r'href="/articles/calm-practice-\d+/"', html))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_connection(url: str, dbname: str):
    config = dj_database_url.parse(url)
    conn = psycopg2.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname=dbname,
    )
    return conn


def bench_database(base_url: str) -> str:
    conn = server_connection(base_url, "postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
    conn.close()
    return base_url.rsplit("/", 1)[0] + "/" + BENCH_DB


def drop_bench_database(base_url: str) -> None:
    conn = server_connection(base_url, "postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    conn.close()


def redis_reachable(base: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(f"{base}/15", socket_connect_timeout=0.5).ping())
    except redis.exceptions.RedisError:
        return False


def flush_redis(base: str) -> None:
    import redis

    for db in (14, 15):
        redis.Redis.from_url(f"{base}/{db}").flushdb()


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


_runs = iter(range(1, 1_000_000))


def run_wrk(url: str, *, duration: int, connections: int, script: Path | None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if script:
        # A copy numbered for this run (see THREAD_IDS_LUA).
        numbered = script.with_suffix(".run.lua")
        numbered.write_text(f"RUN = {next(_runs)}\n" + script.read_text())
        command[1:1] = ["-s", str(numbered)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latencies = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "50" not in latencies:
        raise RuntimeError(f"wrk finished no request against {url}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(latencies["50"]),
        "p99": to_ms(latencies["99"]),
        "errors": int(errors.group(1)) if errors else 0,
    }


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
        "--keep", action="store_true", help=f"keep the {BENCH_DB} database afterwards"
    )
    args = parser.parse_args()

    base_url = os.environ["DATABASE_URL"]
    work = Path(tempfile.mkdtemp(prefix="hisbench"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user and must read the page
    database_url = bench_database(base_url)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="happyinnerself.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=database_url,
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
    redis_base = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
    if redis_reachable(redis_base):
        # As docker-compose runs it: shared cache and buffered view counts in Redis.
        env.update(CACHE_URL=f"{redis_base}/15", REDIS_URL=f"{redis_base}/14")
        flush_redis(redis_base)
        redis_note = f"Redis at {redis_base}: shared cache (db 15), buffered view counts (db 14)"
    gunicorn = nginx = None
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        started = time.monotonic()
        conn = server_connection(database_url, BENCH_DB)
        counts = seed(conn)
        conn.close()
        derive = [*manage, "refresh_derived"]
        subprocess.run(derive, cwd=ROOT, env=env, check=True, capture_output=True)
        # The refresh rewrote every article row: vacuum now, or autovacuum does it in the
        # middle of the measurements (seen as a dip of a third on the pages it overlapped).
        conn = server_connection(database_url, BENCH_DB)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        conn.close()
        print(
            f"seeded in {time.monotonic() - started:.1f}s: "
            + ", ".join(f"{table} {n:,}" for table, n in counts.items())
        )
        subprocess.run(
            [*manage, "collectstatic", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )

        port = free_port()
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                # One line per request would be the bench's only output.
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env={**env, "WEB_CONCURRENCY": "2"},
        )
        app = f"http://127.0.0.1:{port}"
        wait_for(f"{app}/healthz")
        article_path = "/articles/calm-practice-5000/"
        page = urllib.request.urlopen(app + article_path).read()
        found = urllib.request.urlopen(app + "/search/?q=botox").read().decode()
        if article_link_count(found) == 0:
            raise RuntimeError("search finds nothing: the search vectors were not computed")
        (work / "site").mkdir()
        (work / "site" / "article.html").write_bytes(page)

        nginx_port = free_port()
        (work / "nginx.conf").write_text(f"""
worker_processes 2; daemon off; pid {work}/nginx.pid; error_log {work}/nginx.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  server {{ listen 127.0.0.1:{nginx_port}; root {work}/site;
    location / {{ default_type text/html; }} }} }}
""")
        nginx = subprocess.Popen(
            ["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)],
            stderr=(work / "nginx.stderr").open("w"),
        )
        wait_for(f"http://127.0.0.1:{nginx_port}/article.html")
        lua = work / "new-reader.lua"
        lua.write_text(NEW_READER_LUA)
        new_query = work / "new-query.lua"
        new_query.write_text(new_query_lua(READER_WORDS))
        new_calm = work / "new-calm.lua"
        new_calm.write_text(new_query_lua(EVERYWHERE_WORDS))

        targets = [
            ("baseline (stored page through Django)", app + "/__bench__/baseline", None),
            ("home", app + "/", None),
            ("article (counting views)", app + article_path, lua),
            ("tag", app + "/tags/topic-7/", None),
            ("search (a query asked again)", app + "/search/?q=botox+grief", None),
            ("search (a new query every time)", app + "/search/?q=grief+walk", new_query),
            ("search matching all 10,000 (new)", app + "/search/?q=calm+body", new_calm),
            ("popular", app + "/popular/", None),
            ("sitemap", app + "/sitemap.xml", None),
            ("static file via nginx", f"http://127.0.0.1:{nginx_port}/article.html", None),
        ]
        queries = query_counts(
            env,
            [(name, url.split(str(port), 1)[1]) for name, url, _ in targets if url.startswith(app)],
        )
        statuses, rounds = {}, {name: [] for name, _, _ in targets}
        for name, url, script in targets:
            print(f"  warming up {name} ...", flush=True)
            try:
                statuses[name] = urllib.request.urlopen(url).status
            except urllib.error.HTTPError as error:
                statuses[name] = error.code
            run_wrk(url, duration=2, connections=args.connections, script=script)
        for round_ in range(1, args.rounds + 1):
            print(f"  round {round_} of {args.rounds} ...", flush=True)
            for name, url, script in targets:
                rounds[name].append(
                    run_wrk(
                        url, duration=args.duration, connections=args.connections, script=script
                    )
                )
        results = summarise(rounds, statuses, baseline=targets[0][0])
        worker_rss = [child.memory_info().rss for child in psutil.Process(gunicorn.pid).children()]
        report(results, queries, worker_rss, args, len(page))
        print(redis_note)
    finally:
        for process in (gunicorn, nginx):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=20)
        if not args.keep:
            drop_bench_database(base_url)
        if "REDIS_URL" in env:
            flush_redis(redis_base)
        shutil.rmtree(work, ignore_errors=True)
    return 0


QUERY_COUNT_SCRIPT = """
import json, sys
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
found = {}
for name, path in json.loads(sys.argv[2]):
    client.get(path)  # warm the caches a reader would find warm
    if "/search/" in path and "new" in name:
        # Not this page again (it is kept), but the same words in a new order: a query
        # nobody asked, of words whose lists are kept.
        words = path.split("q=", 1)[1].split("+")
        path = path.split("q=", 1)[0] + "q=" + "+".join(reversed(words))
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    found[name] = len(ctx.captured_queries)
print(json.dumps(found))
"""


def query_counts(env: dict, pages: list[tuple[str, str]]) -> dict[str, int]:
    out = subprocess.run(
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
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def summarise(rounds: dict[str, list[dict]], statuses: dict, *, baseline: str) -> list:
    """Per page: the median of the rounds' req/s, p50 and p99, the worst round's p99, and
    the median of the rounds' ratios to the baseline measured in the same round."""
    base = [r["rps"] for r in rounds[baseline]]
    results = []
    for name, runs in rounds.items():
        results.append(
            (
                name,
                statuses[name],
                {
                    "rps": statistics.median(r["rps"] for r in runs),
                    "p50": statistics.median(r["p50"] for r in runs),
                    "p99": statistics.median(r["p99"] for r in runs),
                    "p99_max": max(r["p99"] for r in runs),
                    "ratio": statistics.median(
                        r["rps"] / b for r, b in zip(runs, base, strict=True)
                    ),
                    "errors": sum(r["errors"] for r in runs),
                },
            )
        )
    return results


def report(results, queries, worker_rss, args, page_bytes) -> None:
    print(
        f"\n{args.connections} connections, {args.rounds} rounds of {args.duration}s per page "
        "(medians over the rounds; p99 max: the worst round; "
        "× base: the median of each round's ratio), "
        f"article page {page_bytes / 1024:.0f} KB, {os.cpu_count()} cores\n"
    )
    columns = ("page", "status", "req/s", "p50 ms", "p99 ms", "p99 max", "× base", "queries")
    header = f"{columns[0]:40}" + "".join(f" {c:>8}" for c in columns[1:])
    print(header)
    print("-" * len(header))
    for name, status, r in results:
        q = queries.get(name, "-")
        err = f"  ({r['errors']} non-2xx)" if r["errors"] else ""
        print(
            f"{name:40} {status:>6} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
            f"{r['p99_max']:>8.2f} "
            f"{r['ratio']:>7.2f} {q!s:>8}{err}"
        )
    print(f"\ngunicorn workers RSS: {', '.join(f'{rss / 2**20:.0f} MB' for rss in worker_rss)}")


if __name__ == "__main__":
    sys.exit(main())
