"""Load generators: wrk with the Lua scripts of bench/lua, and a client for fresh searches."""

from __future__ import annotations

import html
import math
import random
import re
import statistics
import subprocess
import threading
import time
import urllib.parse
from http.client import HTTPConnection, HTTPException
from pathlib import Path

from bench.seed import content_words
from bench.traffic import BROWSER_AGENTS, wrk_script

FRESH_CONNECTIONS = 4


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


def fetch_each(
    host: str, port: int, paths: list[str], connections: int = FRESH_CONNECTIONS
) -> list[tuple[float, int, str, str]]:
    """Each path once, from `connections` keep-alive clients, each request a new reader:
    (milliseconds, status, body, path) per request; status 0 when it got no answer."""
    todo = list(enumerate(paths))
    lock = threading.Lock()
    results: list[tuple[float, int, str, str]] = []

    def client(number: int) -> None:
        conn = HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                if not todo:
                    break
                index, path = todo.pop()
            headers = {
                "User-Agent": BROWSER_AGENTS[index % len(BROWSER_AGENTS)],
                "X-Forwarded-For": f"fd00:ffff:{number:x}::{index:x}",
            }
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                answer = conn.getresponse()
                status, body = answer.status, answer.read().decode()
                if answer.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, HTTPException):  # a timeout or a dropped connection: status 0
                status, body = 0, ""
                conn.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results.append((elapsed, status, body, path))
        conn.close()

    clients = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    return results


def fresh_searches(host: str, port: int, queries: list[str]) -> dict:
    """Each query once, from FRESH_CONNECTIONS keep-alive clients; exact latencies."""
    asked = {"/search/?" + urllib.parse.urlencode({"q": query}): query for query in queries}
    started = time.perf_counter()
    results = fetch_each(host, port, list(asked))
    wall = time.perf_counter() - started
    latencies = sorted(elapsed for elapsed, _, _, _ in results)
    errors = sum(1 for _, status, _, _ in results if not 200 <= status < 400)
    # The page answers this query: it shows what was typed.
    unechoed = sum(
        1
        for _, status, body, path in results
        if 200 <= status < 400 and html.escape(asked[path]) not in body
    )
    return {
        "unechoed": unechoed,
        "rps": len(results) / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[math.ceil(0.99 * len(latencies)) - 1],
        "errors": errors,
        "counts": {"ok": len(results) - errors},
    }
