"""Two live server processes share one content version through Redis: whatever one of
them is asked, both answer with the same ETag and see every change at once."""

import subprocess
import sys
import time

import pytest

from tests.support.redis import redis_required
from tests.support.stack import ROOT, Stack, free_port, stack_start, stack_stop

REDIS = "redis://127.0.0.1:6379/12"
BROWSERS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
]
ARTICLE = "/articles/face-twitching-mystery/"


@pytest.fixture(scope="module")
def servers():
    client = redis_required(REDIS)
    client.flushdb()
    first = stack_start("workers", CACHE_URL=REDIS)
    second = Stack(port=free_port(), pgdata=first.pgdata, env=first.env, log_path=first.log_path)
    second.process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "happyinnerself.wsgi"]
        + ["--bind", f"127.0.0.1:{second.port}", "--workers", "1"],
        cwd=ROOT,
        env=first.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if second.get("/healthz").status == 200:
                break
        except OSError:
            time.sleep(0.2)
    yield first, second
    second.process.terminate()
    second.process.wait(timeout=20)
    stack_stop(first)
    client.flushdb()


def shell(stack: Stack, code: str) -> None:
    stack.manage("shell", "-c", code)


def views(stack: Stack) -> int:
    rows = stack.sql(
        "prod",
        "SELECT coalesce(sum(d.views), 0) FROM popularity_dailyview d "
        "JOIN articles_article a ON a.id = d.article_id WHERE a.slug = %s",
        ("face-twitching-mystery",),
    )
    return int(rows[0][0])


def test_one_etag_in_every_worker_and_a_304_counts_the_view(servers):
    first, second = servers
    before = views(first)
    page = first.get(ARTICLE + "?fbclid=IwAR0first", headers={"User-Agent": BROWSERS[0]})
    assert page.status == 200
    etag = page.header("ETag")
    again = second.get(
        ARTICLE + "?utm_source=newsletter&fbclid=IwAR1second",
        headers={"User-Agent": BROWSERS[1], "If-None-Match": etag},
    )
    assert again.status == 304
    assert second.get(ARTICLE, headers={"User-Agent": BROWSERS[2]}).header("ETag") == etag
    assert views(first) == before + 3


@pytest.mark.parametrize("server", [0, 1])
def test_an_edit_shows_at_once_in_every_worker(servers, server):
    first, second = servers
    for stack in servers:  # both have the pages kept
        for path in ("/", "/tags/botox/", "/search/?q=twitching", "/feed/", ARTICLE):
            assert stack.get(path).status == 200
    title = f"Twitching, explained ({server})"
    shell(
        first,
        "from articles.models import Article; a = Article.objects.get(slug="
        f"'face-twitching-mystery'); a.title = {title!r}; a.save()",
    )
    stack = servers[server]
    for path in ("/", "/tags/botox/", "/search/?q=twitching", "/feed/", ARTICLE):
        assert title in stack.get(path).body, path


def test_publishing_and_deleting_show_at_once_in_every_worker(servers):
    first, second = servers
    for stack in servers:
        stack.get("/")
        stack.get("/feed/")
    shell(
        first,
        "from django.utils import timezone; from articles.models import Article; "
        "from django.contrib.auth import get_user_model; "
        "a = Article.objects.create(title='Breathing before sleep', slug='breathing-sleep', "
        "standfirst='Slow breaths.', status='published', published_at=timezone.now(), "
        "author=get_user_model().objects.create(username='w')); a.tags.add('sleep')",
    )
    for stack in servers:
        for path in ("/", "/tags/sleep/", "/search/?q=breathing", "/feed/"):
            assert "Breathing before sleep" in stack.get(path).body, path
    shell(
        first,
        "from articles.models import Article; Article.objects.get(slug='breathing-sleep').delete()",
    )
    for stack in servers:
        for path in ("/", "/search/?q=breathing", "/feed/"):
            assert "Breathing before sleep" not in stack.get(path).body, path
        assert stack.get("/articles/breathing-sleep/").status == 404


def test_a_word_fixed_in_one_article_leaves_the_lists_kept_in_every_worker(servers):
    first, second = servers
    article = (
        "from articles.models import Article; "
        "a = Article.objects.get(slug='face-twitching-mystery')"
    )
    shell(first, f"{article}; a.save()")  # its listed fields derived (unchanged since)
    lists = ("/tags/botox/", "/tags/")
    before = {path: first.get(path).header("ETag") for path in lists}
    own = first.get(ARTICLE).header("ETag")
    shell(
        first,
        f"{article}; s = a.sections.order_by('position')[0]; "
        "s.body = s.body.replace(' the ', ' thee ', 1); s.save()",
    )
    for stack in servers:
        for path in lists:
            page = stack.get(path, headers={"If-None-Match": before[path]})
            assert page.status == 304, path
        fixed = stack.get(ARTICLE, headers={"If-None-Match": own})
        assert fixed.status == 200 and " thee " in fixed.body
