"""Public pages through Django's cache framework and conditional GET.

Everything readers see derives from one *content version*, kept in the shared cache
(settings.CACHES["default"]: Redis in production). Any change to an article, its sections
or its tags replaces the version after commit (articles.signals), so every page kept and
every validator given under the old one stops being used at once, in every worker. A
scheduled article becoming visible (or an expired one leaving) changes nothing in the
database, so the version also records when the next such moment is due (a publication, an
expiry, a scheduled update: articles.scheduling) and is replaced when that moment passes.

A public page is identified by its canonical address: host, path and query string without
tracking parameters (utm_*, fbclid, ...), so twenty visits from a social network with
twenty different click ids are one cached copy with one ETag. The ETag hashes the version
and that address; equal ETags mean equal bytes, so the page is kept whole under it, and a
browser or CDN revalidating gets a 304.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, urlencode

STATE_KEY = "articles:content-state"

# Parts other apps add to the pages that carry them (articles.extensions), and that change
# independently of the content (e.g. a ranking with its own period), add a token to those
# pages' ETags here: callables returning a short string. Pages without such parts (topics,
# search, feeds, sitemap) leave them out, so they stay kept when the parts move.
page_validators: list[Callable[[], str]] = []

# Query parameters that say where a reader came from, never what the page shows.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "ref", "igshid", "_ga", "dclid", "twclid"}
    # A site search's result links: the result's position and the query (popularity counts
    # which result was opened).
    | {"sp", "sq"}
)


def is_tracking_parameter(name: str) -> bool:
    return name in TRACKING_PARAMETERS or name.startswith("utm_")


@dataclass(frozen=True)
class ContentState:
    version: str
    changed_at: datetime
    next_due_at: datetime | None


def _store_state(*, changed_at: datetime) -> ContentState:
    from .scheduling import next_due_at

    # The next article to publish or to unpublish, or update to apply (applying those due).
    due = next_due_at(now=timezone.now())
    state = ContentState(
        version=uuid.uuid4().hex[:16],
        changed_at=changed_at.replace(microsecond=0),
        next_due_at=due,
    )
    # Stored as plain values so a code change never meets an old pickled class.
    cache.set(STATE_KEY, (state.version, state.changed_at, due), None)
    return state


def content_state(request: HttpRequest | None = None) -> ContentState:
    """The current content version: one cache read, memoised on the request."""
    if request is not None and (memo := getattr(request, "content_state", None)) is not None:
        return memo
    stored = cache.get(STATE_KEY)
    now = timezone.now()
    if stored is None:
        state = _store_state(changed_at=now)
    else:
        state = ContentState(*stored)
        if state.next_due_at is not None and state.next_due_at <= now:
            state = _store_state(changed_at=state.next_due_at)
    if request is not None:
        request.content_state = state
    return state


def content_changed() -> None:
    """Start a new content version. Signals call this after commit; call it yourself after
    writes that bypass model signals (QuerySet.update(), raw SQL). When such a write changes
    an article's sections or cover, call services.articles_refresh_derived for it first:
    the article's text is kept under the time that refresh stamps (`derived_at`)."""
    _store_state(changed_at=timezone.now())


def canonical_path(request: HttpRequest) -> str:
    """The path and the query string that decide what the page shows, in a fixed order."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    query = urlencode(sorted((k, v) for k, v in pairs if not is_tracking_parameter(k)))
    return f"{request.path}?{query}" if query else request.path


def etag_for(request: HttpRequest, state: ContentState, *, extended: bool = False) -> str:
    tokens = [
        state.version,
        # Pages name their own absolute address (canonical link, social cards).
        request.scheme,
        request.get_host(),
        canonical_path(request),
        *(validator() for validator in page_validators if extended),
    ]
    return '"' + hashlib.sha256("\n".join(tokens).encode()).hexdigest()[:32] + '"'


def _add_validators(response: HttpResponse, etag: str, state: ContentState) -> None:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(state.changed_at.timestamp())
    patch_cache_control(
        response, public=True, max_age=settings.ARTICLES_HTTP_MAX_AGE, must_revalidate=True
    )


def cache_public_page(view=None, *, extended: bool = False, carry: tuple[str, ...] = ()):
    """Decorate a public GET view: a 304 when the reader's copy is current, else the page
    kept whole under its ETag in the shared cache, else the view's answer, kept when it is
    a 200. Answers that are not 200 (404, redirects) are never kept.

    `extended=True` (as `@cache_public_page(extended=True)`) for pages that carry other
    apps' parts: their ETags also carry `page_validators`.
    `carry` names headers a 304 keeps from the page it stands for (the search's result
    count, which counting reads): taken from the kept page, or from the view run again
    when the kept page has gone.
    """
    if view is None:
        return functools.partial(cache_public_page, extended=extended, carry=carry)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        state = content_state(request)
        etag = etag_for(request, state, extended=extended)
        response = get_conditional_response(
            request, etag=etag, last_modified=int(state.changed_at.timestamp())
        )
        if response is None or (response.status_code == 304 and carry):
            stored = cache.get(f"page:{etag}")
            page = HttpResponse(stored[0], headers=stored[1]) if stored is not None else None
            if page is None:
                page = view(request, *args, **kwargs)
                if hasattr(page, "render") and not page.is_rendered:
                    page.render()
                if page.status_code == 200 and not page.streaming:
                    stored = (page.content, dict(page.headers))
                    cache.set(f"page:{etag}", stored, settings.ARTICLES_CACHE_SECONDS)
            if response is None:
                response = page
            elif page.status_code == 200:
                for name in carry:
                    if name in page:
                        response[name] = page[name]
        if response.status_code in (200, 304):
            _add_validators(response, etag, state)
        return response

    return wrapped
