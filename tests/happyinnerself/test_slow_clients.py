"""Slow clients cannot starve the site: Caddy (deploy/Caddyfile) in front of gunicorn
(gunicorn.conf.py), both for real, with 30 connections trickling their requests in."""

import http.client
import socket
import threading
import time

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
