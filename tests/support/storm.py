"""1,100 odd requests, as a site under real traffic meets them: bad hosts, paths, query
strings, methods, headers and bodies. Sent over raw sockets, so nothing is tidied first."""

from __future__ import annotations

import random
import socket

PAGES = [
    "/",
    "/articles/face-twitching-mystery/",
    "/tags/",
    "/tags/stress/",
    "/search/",
    "/popular/",
    "/popular/trending/",
    "/feed/",
    "/feed/atom/",
    "/tags/stress/feed/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/readyz",
]
ODD_TEXT = [
    "'",
    '"',
    '"unclosed',
    "-",
    "!!",
    "&|",
    "a & b | !c",
    "<script>alert(1)</script>",
    "%00",
    "%ZZ",
    "%E0%A4%A",
    "%C0%AF",
    "..%2F..%2Fetc%2Fpasswd",
    "😀" * 3,
    "x" * 2000,
    "1e10",
    "-1",
    "0",
    "99999999999999999999",
    "NaN",
    "null",
    "[]",
    "{}",
    "or",
    "not",
    "\\",
    "%",
    "+",
    "self-care",
    "twiching",
]


def _quote(text: str) -> str:
    from urllib.parse import quote

    # Some values are sent raw (already-odd percent codes), others encoded.
    return text if text.startswith("%") else quote(text, safe="")


def storm_requests(host: str, seed: int = 1100) -> list[bytes]:
    rng = random.Random(seed)
    requests: list[bytes] = []

    def add(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""):
        lines = [f"{method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in (headers or {}).items())]
        if "Host" not in (headers or {}):
            lines.insert(1, f"Host: {host}")
        lines.append("X-Forwarded-Proto: https")  # as the proxy in front says
        if body:
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: close")
        requests.append(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body)

    # 1. Hosts nobody configured (100).
    for n in range(100):
        bad = rng.choice(
            ["evil.example", "", "127.0.0.1:99999", "a" * 300, "x y", "[::1", "@@", f"h{n}.test"]
        )
        add("GET", rng.choice(PAGES), {"Host": bad})
    # 2. Paths (300).
    for _ in range(300):
        odd = _quote(rng.choice(ODD_TEXT))
        add(
            "GET",
            rng.choice(
                [
                    f"/articles/{odd}/",
                    f"/tags/{odd}/",
                    f"/tags/{odd}/feed/",
                    f"/popular/{odd}/",
                    f"/{odd}",
                    f"/static/{odd}",
                    f"/media/{odd}",
                    "/articles/../../etc/passwd",
                    "//" + odd,
                    "/" + "a/" * 1500,
                ]
            ),
        )
    # 3. Query strings (300).
    for _ in range(300):
        odd = _quote(rng.choice(ODD_TEXT))
        page = rng.choice(PAGES)
        add(
            "GET",
            rng.choice(
                [
                    f"{page}?page={odd}",
                    f"/search/?q={odd}",
                    f"/search/?q={odd}&page={odd}",
                    f"/sitemap.xml?p={odd}",
                    f"{page}?utm_source={odd}&fbclid={odd}",
                    f"{page}?q={odd}&q={odd}&page=1&page=2",
                    f"{page}?{odd}",
                    "/search/?q=" + "calm+" * 400,
                ]
            ),
        )
    # 4. Methods (100).
    for _ in range(100):
        add(
            rng.choice(["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "CONNECT"]),
            rng.choice(PAGES),
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"a=1&b=2",
        )
    # 5. Headers (200).
    for _ in range(200):
        header = rng.choice(
            [
                ("If-None-Match", rng.choice(['"', "W/", "*", '"abc", "def"', "x" * 4000])),
                ("If-Modified-Since", rng.choice(["yesterday", "Sun, 99 Foo 2026", "0", ""])),
                ("Accept-Language", rng.choice(["xx-YY;q=abc", "*" * 500, ",,,;"])),
                ("X-Forwarded-For", rng.choice(["not-an-ip", "999.1.1.1", ", , ,", "::g"])),
                ("User-Agent", rng.choice(["", "x" * 7000, "Mozilla/5.0 \x01\x02", "'; DROP"])),
                ("Cookie", rng.choice(["sessionid=" + "z" * 3000, "=;=;=", 'csrftoken="'])),
                ("Range", rng.choice(["bytes=abc", "bytes=9-1", "pages=1"])),
                ("Sec-Purpose", "prefetch;prerender"),
                ("Accept-Encoding", "gzip;q=nope, br;q=2"),
            ]
        )
        add("GET", rng.choice(PAGES), {header[0]: header[1]})
    # 6. The read-depth endpoint with what a forger sends (100).
    for _ in range(100):
        body = rng.choice(
            [
                b"{",
                b"[]",
                b'{"token": "forged", "deepest": 3}',
                b'{"token": null, "deepest": "all"}',
                b'{"deepest": 99999999999999999999999}',
                b"\x00\xff" * 50,
                b"x" * 70000,
            ]
        )
        add(
            "POST",
            "/popularity/read-depth/",
            {"Content-Type": rng.choice(["application/json", "text/plain", "multipart/form-data"])},
            body,
        )
    return requests


def storm_send(port: int, requests: list[bytes], timeout: float = 10) -> list[int | None]:
    """Each request on its own connection; the status code, or None when none came."""
    statuses: list[int | None] = []
    for raw in requests:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
                sock.sendall(raw)
                head = sock.recv(64)
            statuses.append(int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else None)
        except OSError:
            statuses.append(None)
    return statuses
