"""Caching for the public pages.

Everything readers see is derived from one *content version*, kept in the cache framework
(the backend comes from settings.CACHES). Any change to an article, its sections or its
tags replaces the version (articles.signals, after commit), so every cached fragment,
count and validator made under the old one stops being used at once; nothing else does.
A scheduled article becoming visible changes nothing in the database, so the version also
records when the next scheduled article is due and is replaced when that moment passes.

Pages use it three ways:
- rendered HTML fragments (`{% cachedfragment %}`) and small values (`cached_value`),
- ETag and Last-Modified validators, so a browser or CDN revalidating gets a 304,
- Cache-Control telling them to revalidate (after ARTICLES_HTTP_MAX_AGE seconds).

Full-response caching middleware is deliberately not used: it answers before URL
resolution, and view counting relies on the article view running for every request.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

STATE_KEY = "articles:content-state"
_REQUEST_MEMO = "_articles_content_state"

# Other parts of the page that change independently of the content (e.g. a widget with
# its own cache) can add a token to the ETag here: callables returning a short string.
page_validators: list[Callable[[], str]] = []


@dataclass(frozen=True)
class ContentState:
    version: str
    changed_at: datetime
    next_publication_at: datetime | None


def _timeout() -> int:
    return settings.ARTICLES_CACHE_SECONDS


def _store_state(*, changed_at: datetime) -> ContentState:
    from .models import Article

    due = Article.objects.scheduled().aggregate(due=Min("published_at"))["due"]
    state = ContentState(
        version=uuid.uuid4().hex[:16],
        changed_at=changed_at.replace(microsecond=0),
        next_publication_at=due,
    )
    # Stored as plain values so a code change never meets an old pickled class.
    stored = (state.version, state.changed_at, due)
    cache.set(STATE_KEY, stored, _timeout())
    _remember_locally(stored)
    return state


# The shared state, as this process last read it: re-read at most every
# CONTENT_STATE_LOCAL_SECONDS, so most pages need no round trip to a shared cache. A change
# made through this process shows at once; one made through another within that time.
_local: dict[str, tuple[float, tuple]] = {}


def _remember_locally(stored: tuple) -> None:
    _local["state"] = (time.monotonic() + settings.CONTENT_STATE_LOCAL_SECONDS, stored)


def forget_local_state() -> None:
    """Drop this process's copy (tests do, between tests)."""
    _local.clear()


def _shared_state() -> tuple | None:
    remembered = _local.get("state")
    if remembered is not None and remembered[0] > time.monotonic():
        return remembered[1]
    stored = cache.get(STATE_KEY)
    if stored is not None:
        _remember_locally(stored)
    return stored


def content_state(request: HttpRequest | None = None) -> ContentState:
    """The current content version (memoised on the request: one cache read per page)."""
    if request is not None and (memo := getattr(request, _REQUEST_MEMO, None)) is not None:
        return memo
    stored = _shared_state()
    now = timezone.now()
    if stored is None:
        state = _store_state(changed_at=now)
    else:
        state = ContentState(*stored)
        if state.next_publication_at is not None and state.next_publication_at <= now:
            state = _store_state(changed_at=state.next_publication_at)
    if request is not None:
        setattr(request, _REQUEST_MEMO, state)
    return state


def content_changed() -> None:
    """Start a new content version. Signals call this after commit; call it yourself after
    writes that bypass model signals (QuerySet.update(), raw SQL)."""
    _store_state(changed_at=timezone.now())


def cache_key(state: ContentState, name: str, *parts: object) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"articles:{state.version}:{name}:{digest}"


def cached_value(state: ContentState, name: str, parts: tuple, compute: Callable[[], object]):
    """A value computed once per content version. None is not kept: asking for things
    that do not exist (unknown tags...) must not fill the cache."""
    key = cache_key(state, name, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value, _timeout())
    return value


# ---------------------------------------------------------------------------
# HTTP validators


def etag_for(request: HttpRequest, state: ContentState) -> str:
    tokens = [
        state.version,
        # Pages name their own absolute address (canonical link, social cards).
        request.get_host(),
        request.get_full_path(),
        *(validator() for validator in page_validators),
    ]
    return '"' + hashlib.sha256("\n".join(tokens).encode()).hexdigest()[:32] + '"'


def _add_validators(response: HttpResponse, etag: str, state: ContentState) -> None:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(state.changed_at.timestamp())
    patch_cache_control(
        response, public=True, max_age=settings.ARTICLES_HTTP_MAX_AGE, must_revalidate=True
    )


def _pages():
    """Where whole pages are kept: the per-process "pages" cache when configured."""
    return caches["pages"] if "pages" in settings.CACHES else cache


def _kept_page(etag: str) -> HttpResponse | None:
    stored = _pages().get(f"page:{etag}")
    if stored is None:
        return None
    body, headers = stored
    return HttpResponse(body, headers=headers)


def current_page(request: HttpRequest) -> HttpResponse | None:
    """A 304, or the page kept whole, if the current content version has one: else None.

    Needs no database: a page is kept under an ETag naming the content version, and any
    change to what readers may see (publishing, unpublishing, a scheduled time arriving,
    deleting) starts a new version.
    """
    state = content_state(request)
    etag = etag_for(request, state)
    response = get_conditional_response(
        request, etag=etag, last_modified=int(state.changed_at.timestamp())
    )
    if response is None:
        response = _kept_page(etag)
        if response is None:
            return None
    _add_validators(response, etag, state)
    return response


class _SeenOnce:
    """ETags asked for once, recently (bounded): pages kept only when asked again."""

    def __init__(self, size: int = 4096) -> None:
        self.size, self.seen, self.lock = size, OrderedDict(), threading.Lock()

    def second_time(self, etag: str) -> bool:
        with self.lock:
            if self.seen.pop(etag, None) is not None:
                return True
            self.seen[etag] = True
            if len(self.seen) > self.size:
                self.seen.popitem(last=False)
            return False


_seen_once = _SeenOnce()


def _rendered_page(
    etag: str, render: Callable[[], HttpResponse], *, keep_on_second_request: bool = False
) -> HttpResponse:
    """The page whose ETag this is: from the cache whole, or rendered once and kept.

    The ETag already names everything a public page depends on (content version, address,
    Popular Posts period), so equal ETags mean equal bytes: a hit skips the templates.
    """
    kept = _kept_page(etag)
    if kept is not None:
        return kept
    response = render()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    keep = response.status_code == 200 and not response.streaming
    if keep and (not keep_on_second_request or _seen_once.second_time(etag)):
        _pages().set(f"page:{etag}", (response.content, dict(response.headers)), _timeout())
    return response


def conditional_response(
    request: HttpRequest,
    render: Callable[[], HttpResponse],
    state: ContentState | None = None,
    *,
    keep_on_second_request: bool = False,
) -> HttpResponse:
    """A 304 when the reader's copy is current, else the page, kept whole under its ETag
    (see _rendered_page); both carry validators. With `keep_on_second_request` (search
    results) a page is kept only once asked for a second time, so pages asked once do not
    push the others out of the bounded pages cache."""
    state = state or content_state(request)
    etag = etag_for(request, state)
    response = get_conditional_response(
        request, etag=etag, last_modified=int(state.changed_at.timestamp())
    )
    if response is None:
        response = _rendered_page(etag, render, keep_on_second_request=keep_on_second_request)
    if response.status_code in (200, 304):
        _add_validators(response, etag, state)
    return response
