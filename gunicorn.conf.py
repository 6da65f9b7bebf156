"""gunicorn's settings for every place the site runs: the image, compose, the tests, the bench.

Start it as `gunicorn --config gunicorn.conf.py`; options given on the command line win
(the tests and the bench give their own `--bind`). docs/operations.md explains the numbers.

gunicorn is never exposed directly: Caddy (deploy/Caddyfile) reads every request's headers
and body before it passes the request on, so a slow client costs a goroutine in the proxy,
not a thread here. A request thread that waits on a client is held until the client is
done (gthread has no time limit on reading a request), so the proxy is what keeps slow
clients away; the threads keep a worker answering while a request waits on PostgreSQL.
"""

import gc
import os

wsgi_app = "happyinnerself.wsgi:application"
bind = ["0.0.0.0:8000"]

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# With threads, the arbiter's timeout only catches a worker whose main loop is stuck (its
# heartbeat), not a slow request; a stuck worker is replaced after this many seconds.
timeout = 30
# Docker sends SIGKILL 10 s after SIGTERM: requests in flight get 8 s to finish first.
graceful_timeout = 8
# Longer than the proxy keeps an idle upstream connection (30 s in deploy/Caddyfile), so
# gunicorn never closes one that Caddy is just reusing. An idle kept-alive connection waits
# in the worker's poller, not on a thread.
keepalive = 35

# Request size limits; gunicorn answers 400 past them. Browsers send about 15-20 headers,
# and the proxy adds a few; the longest legitimate line is a long search query.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# One line per request on stdout, next to the application's JSON log lines. The path
# without its query string, and no referrer: a search's words (`?q=`, `?sq=`) are what a
# reader typed, and may be an address or a phone number, which no log line may hold.
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'

# Load Django once in the arbiter, before forking: a worker starts already loaded (a
# replaced worker answers at once; a broken deployment fails at start, not per worker),
# and the workers share the loaded pages until they write to them.
preload_app = True


def pre_fork(server, worker):
    """Keep everything loaded so far out of the garbage collector's full passes."""
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view now)
    # A connection opened while loading would be shared by every forked worker.
    connections.close_all()
    # What is loaded by now (Django, the apps, every view) lives as long as the process.
    # Frozen, a full pass no longer walks its ~80,000 objects: 25-35 ms in which a worker
    # answered nobody, now about 2 ms. Frozen before the fork, the collector in a worker
    # never writes to those objects either, so their pages stay shared with the arbiter.
    gc.freeze()
