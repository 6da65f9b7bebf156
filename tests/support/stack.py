"""A real production stack for tests: private PostgreSQL + gunicorn with production settings."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
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
        response = Response(raw.status, raw.headers, raw.read().decode("utf-8", "replace"))
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

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


def stack_start(workdir: Path) -> Stack:
    pgdata = workdir / "pg"
    database_url = devdb.start("prod", pgdata)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="happyinnerself.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        CONN_MAX_AGE="60",
        LOG_LEVEL="INFO",
    )
    stack = Stack(port=free_port(), pgdata=pgdata, env=env, log_path=workdir / "gunicorn.log")
    stack.manage("migrate", "--noinput")
    stack.manage("load_demo")
    stack.manage("collectstatic", "--noinput")
    log = stack.log_path.open("w")
    stack.process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "happyinnerself.wsgi",
            "--bind",
            f"127.0.0.1:{stack.port}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if stack.get("/healthz").status == 200:
                return stack
        except OSError:
            time.sleep(0.2)
    stack_stop(stack)
    raise RuntimeError(f"gunicorn did not start:\n{stack.logs()}")


def stack_stop(stack: Stack) -> None:
    if stack.process is not None:
        stack.process.terminate()
        stack.process.wait(timeout=20)
    devdb.stop(stack.pgdata)
