"""Caddy (deploy/Caddyfile) in front of gunicorn (gunicorn.conf.py), both for real: slow
clients cannot starve the site (30 connections trickling their requests in); responses are
compressed, static files pre-compressed with Brotli; the files Caddy serves itself carry
the security headers and the right cache lifetimes; no response names the software."""

import gzip
import http.client
import re
import socket
import threading
import time

import brotli
import pytest

from tests.support.stack import stack_start, stack_stop

ARTICLE = "/articles/face-twitching-mystery/"


@pytest.fixture(scope="module")
def stack():
    # Plain HTTP between the test and the proxy, as inside the compose network.
    running = stack_start("slow-clients", with_proxy=True, SECURE_SSL_REDIRECT="false")
    yield running
    stack_stop(running)


class SlowClients:
    """Connections that start a request and then send one more piece every half second."""

    def __init__(self, port: int, *, heads: int, bodies: int) -> None:
        self.sockets: list[tuple[socket.socket, bytes]] = []
        for _ in range(heads):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET " + ARTICLE.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append((sock, b"X-Slow: yes\r\n"))
        for _ in range(bodies):
            # A login form: Django reads the body (the CSRF check) once it reaches a view.
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(
                b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100000\r\n\r\nusername=someone&password="
            )
            self.sockets.append((sock, b"x"))
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stopped.wait(0.5):
            for sock, piece in self.sockets:
                try:
                    sock.sendall(piece)
                except OSError:
                    pass

    def still_open(self) -> int:
        """How many are still waiting for an answer (not answered, not closed)."""
        count = 0
        for sock, _ in self.sockets:
            sock.setblocking(False)
            try:
                sock.recv(1, socket.MSG_PEEK)
            except BlockingIOError:
                count += 1
            except OSError:
                pass
            finally:
                sock.setblocking(True)
        return count

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        for sock, _ in self.sockets:
            sock.close()


def timed_get(port: int, path: str) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except TimeoutError:
        return 0, time.monotonic() - started
    finally:
        conn.close()


def test_health_and_an_article_answer_within_a_second_while_30_clients_trickle(stack):
    assert stack.get(ARTICLE).status == 200  # the page itself works (and is warm)
    slow = SlowClients(stack.port, heads=22, bodies=8)
    try:
        time.sleep(1)  # every slow request is in flight (on the old setup: in a worker)
        answers = []
        for _ in range(5):
            answers.append(("/healthz", *timed_get(stack.port, "/healthz")))
            answers.append((ARTICLE, *timed_get(stack.port, ARTICLE)))
            time.sleep(0.5)
        open_meanwhile = slow.still_open()
    finally:
        slow.close()
    late = [(path, status, round(seconds, 2)) for path, status, seconds in answers]
    assert all(status == 200 and seconds < 1 for _, status, seconds in answers), late
    # The slow clients were really there all along: none answered, none dropped.
    assert open_meanwhile == 30


# -- compression -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html"),
        (ARTICLE, "text/html"),
        ("/feed/", "application/rss+xml"),
        ("/feed/atom/", "application/atom+xml"),
        ("/sitemap-tags.xml", "application/xml"),
        ("/sitemap-articles.xml", "application/xml"),
    ],
)
def test_pages_feeds_and_sitemaps_are_compressed(stack, path, content_type):
    plain = stack.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.status == 200 and plain.header("Content-Encoding") is None
    assert plain.header("Content-Type").startswith(content_type)
    packed = stack.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.header("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in packed.header("Vary")
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    best = stack.get(path, headers={"Accept-Encoding": "zstd, br, gzip"})
    assert best.header("Content-Encoding") == "zstd"


def static_urls(stack) -> dict[str, str]:
    """The hashed style sheet the pages link, its plain name, and the favicon."""
    home = stack.get("/").body
    hashed = re.search(r"/static/css/site\.[0-9a-f]{12}\.css", home).group(0)
    return {"hashed": hashed, "plain": "/static/css/site.css", "icon": "/static/favicon.svg"}


def test_static_files_are_served_precompressed_with_brotli(stack):
    css = static_urls(stack)["hashed"]
    plain = stack.get(css, headers={"Accept-Encoding": "identity"})
    assert plain.status == 200 and plain.header("Content-Encoding") is None
    packed = stack.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert packed.header("Content-Encoding") == "br"
    assert brotli.decompress(packed.content) == plain.content
    # Written at build time (a fixed Content-Length), not compressed on every request.
    assert int(packed.header("Content-Length")) == len(packed.content) < len(plain.content)
    assert (
        gzip.decompress(stack.get(css, headers={"Accept-Encoding": "gzip"}).content)
        == plain.content
    )


# -- caching and headers of the files Caddy serves ---------------------------------------------


def test_only_hashed_static_names_are_cached_for_a_year_as_immutable(stack):
    urls = static_urls(stack)
    assert stack.get(urls["hashed"]).header("Cache-Control") == (
        "public, max-age=31536000, immutable"
    )
    for name in ("plain", "icon"):
        response = stack.get(urls[name])
        assert response.status == 200, name
        assert response.header("Cache-Control") == "public, max-age=3600", name


def media_url(stack) -> str:
    return re.search(r'/media/[^"\s]+\.(?:jpg|webp)', stack.get(ARTICLE).body).group(0)


def test_static_and_media_files_carry_the_security_headers(stack):
    urls = static_urls(stack)
    for path in (urls["hashed"], urls["icon"], media_url(stack)):
        response = stack.get(path)
        assert response.status == 200, path
        csp = dict(
            part.strip().split(" ", 1)
            for part in response.header("Content-Security-Policy").split(";")
            if " " in part.strip()
        )
        assert csp["default-src"] == "'none'", path
        assert csp["frame-ancestors"] == "'none'", path
        hsts = response.header("Strict-Transport-Security")
        assert re.fullmatch(r"max-age=31536000; includeSubDomains", hsts), path
        assert response.header("X-Content-Type-Options") == "nosniff", path
        assert response.header("X-Frame-Options") == "DENY", path
        assert response.header("Referrer-Policy") == "strict-origin-when-cross-origin", path
    media = stack.get(media_url(stack))
    assert "sandbox" in media.header("Content-Security-Policy")
    assert media.header("Cache-Control") == "public, max-age=2592000"


@pytest.mark.parametrize("path", ["/", ARTICLE, "/no-such-page/", "/static/css/site.css"])
def test_no_response_names_the_server_software(stack, path):
    response = stack.get(path)
    assert response.headers.get_all("Server") is None, response.headers.get_all("Server")
    assert response.header("Via") is None
