"""The site under load: a seeded database of its own, gunicorn and nginx in front of it."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psutil
import psycopg2

from bench.seed import seed

ROOT = Path(__file__).resolve().parent.parent


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
                gunicorn_command(self.port, connections=self.args.connections),
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

    def empty_cache(self) -> None:
        """Every page, fragment, search and ranking the site keeps in its shared cache, gone
        (its own keys only: the buffered view counts stay)."""
        self.manage("shell", "-c", "from django.core.cache import cache; cache.delete_pattern('*')")

    def editor_save(self) -> None:
        """An editor fixing a word in the newest article, as the admin saves it
        (bench/editing.py): its page, search, feeds and sitemaps are rendered again."""
        self.manage(
            "shell", "-c", "from bench.editing import editor_fixes_a_word; editor_fixes_a_word()"
        )

    def views_recorded(self) -> int:
        """Views in PostgreSQL once the Redis buffer is written out, as the scheduler does."""
        time.sleep(0.5)  # requests wrk cut off at its end are still being answered
        self.manage("popularity_flush")
        ((total,),) = self.sql("SELECT coalesce(sum(views), 0) FROM popularity_dailyview")
        return int(total)

    def worker_rss(self) -> dict[int, int]:
        gunicorn = psutil.Process(self.processes[0].pid)
        return {child.pid: child.memory_info().rss for child in gunicorn.children()}


WORKERS = 2


def gunicorn_command(port: int, *, connections: int) -> list[str]:
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
        str(WORKERS),
        # wrk opens all its connections at once and keeps them for the whole run, and a
        # gthread worker takes every connection it can accept: one worker took all 16 in
        # about one run of six (seen: the baseline at 1,327 requests a second against
        # 3,900 when split), so a ratio measured how the connections fell. Each worker
        # takes its share and no more, so every run splits them evenly.
        "--worker-connections",
        str(-(-connections // WORKERS)),
        "--log-level",
        "warning",
        # One line per request would be the bench's only output.
        "--access-logfile",
        "/dev/null",
    ]


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
