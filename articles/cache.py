"""Public pages through Django's cache framework and conditional GET.

Pages are kept under versions held in the shared cache (settings.CACHES["default"]: Redis
in production), the same in every worker, each replaced after commit by what a save
changed (articles.signals), so every page kept and every validator given under an old one
stops being used at once, in every worker:
- the *listed* version: what lists and cards show (titles, addresses, standfirsts, covers,
  visibility, tags, bylines, reading times, medical reviews as reviewers' pages list them;
  the site's notices and authors). Every public
  page depends on it: home, topics, authors, Popular Posts, and other articles' pages
  (related, previous/next, tag counts);
- each article's own version, under its address: its page alone depends on it and on the
  listed version, so a typo fixed in one article renders that article's page again, not
  the ten thousand others;
- the content version: any saved change to any article. Search results (snippets), feeds
  (full text, updated dates) and sitemaps (lastmod) depend on it.
A scheduled article becoming visible (or an expired one leaving) changes nothing in the
database, so the content version also records when the next such moment is due (a
publication, an expiry, a scheduled update: articles.scheduling), and every version is
replaced when that moment passes.

A public page is identified by its canonical address: host, path and query string without
tracking parameters (utm_*, fbclid, ...), so twenty visits from a social network with
twenty different click ids are one cached copy with one ETag. The ETag hashes the versions
and that address; equal ETags mean equal bytes, so the page is kept whole under it, and a
browser or CDN revalidating gets a 304.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import BaseCache, cache, caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, urlencode

STATE_KEY = "articles:content-state"
LISTED_KEY = "articles:listed-version"
PAGES_CACHE = "pages"

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


def article_key(slug: str) -> str:
    return f"articles:article-version:{slug}"


@dataclass(frozen=True)
class Version:
    token: str
    changed_at: datetime

    @classmethod
    def new(cls, changed_at: datetime) -> Version:
        return cls(uuid.uuid4().hex[:16], changed_at.replace(microsecond=0))


@dataclass(frozen=True)
class ContentState:
    content: Version  # any saved change to the content
    next_due_at: datetime | None
    listed: Version  # what lists and cards show
    article: Version | None = None  # the asked-for article's own (content_state(article=))


#: What a page shows, so which versions it is kept under (see the module docstring).
Shows = Literal["lists", "texts", "article"]


def page_versions(state: ContentState, shows: Shows) -> list[Version]:
    versions = [state.listed]
    if shows == "texts":
        versions.append(state.content)
    elif shows == "article" and state.article is not None:
        versions.append(state.article)
    return versions


def _new_state(changed_at: datetime, *, listed: Version | None) -> tuple[Version, datetime | None]:
    """A new content version (and the new `listed` version, if given), stored in one cache
    call with when the next scheduled moment is due."""
    from .scheduling import next_due_at

    # The next article to publish or to unpublish, or update to apply (applying those due).
    due = next_due_at(now=timezone.now())
    new = Version.new(changed_at)
    # Stored as plain values so a code change never meets an old pickled class.
    values = {STATE_KEY: (new.token, new.changed_at, due)}
    if listed is not None:
        values[LISTED_KEY] = (listed.token, listed.changed_at)
    cache.set_many(values, None)
    return new, due


def _article_seconds() -> int:
    # An article's version lives as long as a page kept under it: any address asked for
    # (a mistyped slug too) gets one, so it must not live for ever; one made again after
    # it expired is a new token, never an old one back.
    return settings.ARTICLES_CACHE_SECONDS


def content_state(request: HttpRequest | None = None, *, article: str = "") -> ContentState:
    """The current versions (with the `article` slug's own, if named): one cache read,
    memoised on the request."""
    memo = getattr(request, "content_state", None) if request is not None else None
    if memo is not None and (not article or memo.article is not None):
        return memo
    keys = [STATE_KEY, LISTED_KEY, *([article_key(article)] if article else [])]
    stored = cache.get_many(keys)
    now = timezone.now()
    try:
        token, changed_at, due = stored[STATE_KEY]
        content, listed = Version(token, changed_at), Version(*stored[LISTED_KEY])
    except (KeyError, TypeError, ValueError):  # gone from the cache (or an older shape)
        listed = Version.new(now)
        content, due = _new_state(now, listed=listed)
    if due is not None and due <= now:  # a publication or an expiry: what lists show
        listed = Version.new(due)
        content, due = _new_state(due, listed=listed)
    own = None
    if article:
        try:
            own = Version(*stored[article_key(article)])
        except (KeyError, TypeError):
            own = Version.new(now)
            cache.set(article_key(article), (own.token, own.changed_at), _article_seconds())
    state = ContentState(content, due, listed, own)
    if request is not None:
        request.content_state = state
    return state


def content_changed() -> None:
    """Replace every version: any page may show what changed. Signals call this after
    commit; call it yourself after writes that bypass model signals (QuerySet.update(), raw
    SQL). When such a write changes an article's sections or cover, call
    services.articles_refresh_derived for it first: the article's text is kept under the
    time that refresh stamps (`derived_at`)."""
    now = timezone.now()
    _new_state(now, listed=Version.new(now))


def articles_changed(*, slugs: Iterable[str], listed: bool) -> None:
    """After a save of these articles (their derived fields written): a new version of each
    one's page and a new content version (search, feeds, sitemaps); a new listed version
    too if `listed`, when what lists and cards show of them changed."""
    now = timezone.now()
    new = Version.new(now)  # new to every one of these pages: one token serves them all
    versions = {article_key(slug): (new.token, new.changed_at) for slug in slugs}
    cache.set_many(versions, _article_seconds())
    _new_state(now, listed=Version.new(now) if listed else None)


def canonical_path(request: HttpRequest) -> str:
    """The path and the query string that decide what the page shows, in a fixed order."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    query = urlencode(sorted((k, v) for k, v in pairs if not is_tracking_parameter(k)))
    return f"{request.path}?{query}" if query else request.path


def etag_for(request: HttpRequest, versions: list[Version], *, extended: bool = False) -> str:
    tokens = [
        *(version.token for version in versions),
        # Pages name their own absolute address (canonical link, social cards).
        request.scheme,
        request.get_host(),
        canonical_path(request),
        *(validator() for validator in page_validators if extended),
    ]
    return '"' + hashlib.sha256("\n".join(tokens).encode()).hexdigest()[:32] + '"'


def _add_validators(response: HttpResponse, etag: str, modified: datetime) -> None:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(modified.timestamp())
    patch_cache_control(
        response, public=True, max_age=settings.ARTICLES_HTTP_MAX_AGE, must_revalidate=True
    )


def _local_pages() -> BaseCache | None:
    """This process's copies of the pages read most (settings.CACHES["pages"]: a bounded
    LocMemCache), beside the shared cache. A page is kept under its ETag, which names its
    exact bytes, so a copy is never stale: a save makes new ETags, and old copies are
    pushed out unread. It spares a kept page its second Redis call, the one that carries
    the page (docs/benchmarks.md)."""
    return caches[PAGES_CACHE] if PAGES_CACHE in settings.CACHES else None


def kept_page(stored: tuple) -> HttpResponse:
    """A page kept by cache_public_page, with `shown_pk`: the pk of the object the page
    shows (a detail view's `object`), kept beside it so that what runs after the view
    (view counting) needs no lookup of its own."""
    content, headers, *shown = stored
    page = HttpResponse(content, headers=headers)
    page.shown_pk = shown[0] if shown else None
    return page


def cache_public_page(
    view=None, *, shows: Shows = "lists", extended: bool = False, carry: tuple[str, ...] = ()
):
    """Decorate a public GET view: a 304 when the reader's copy is current, else the page
    kept whole under its ETag in the shared cache, else the view's answer, kept when it is
    a 200. Answers that are not 200 (404, redirects) are never kept.

    `shows` says which versions the page is kept under: "lists" (the default: what lists
    and cards show), "texts" (also any article's text: search, feeds, sitemaps), "article"
    (the article named by the view's `slug` argument, and what lists show).
    `extended=True` for pages that carry other apps' parts: their ETags also carry
    `page_validators`.
    `carry` names headers a 304 keeps from the page it stands for (the search's result
    count, which counting reads): taken from the kept page, or from the view run again
    when the kept page has gone.
    """
    if view is None:
        return functools.partial(cache_public_page, shows=shows, extended=extended, carry=carry)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        slug = kwargs.get("slug", "") if shows == "article" else ""
        versions = page_versions(content_state(request, article=slug), shows)
        etag = etag_for(request, versions, extended=extended)
        modified = max(version.changed_at for version in versions)
        response = get_conditional_response(
            request, etag=etag, last_modified=int(modified.timestamp())
        )
        if response is None or (response.status_code == 304 and carry):
            key, local = f"page:{etag}", _local_pages()
            stored = local.get(key) if local is not None else None
            if stored is None:
                stored = cache.get(key)
                if stored is not None and local is not None:
                    local.set(key, stored)
            page = kept_page(stored) if stored is not None else None
            if page is None:
                page = view(request, *args, **kwargs)
                if hasattr(page, "render") and not page.is_rendered:
                    page.render()
                if page.status_code == 200 and not page.streaming:
                    shown = (getattr(page, "context_data", None) or {}).get("object")
                    stored = (page.content, dict(page.headers), getattr(shown, "pk", None))
                    cache.set(key, stored, settings.ARTICLES_CACHE_SECONDS)
                    if local is not None:
                        local.set(key, stored)
            if response is None:
                response = page
            elif page.status_code == 200:
                for name in carry:
                    if name in page:
                        response[name] = page[name]
        if response.status_code in (200, 304):
            _add_validators(response, etag, modified)
        return response

    return wrapped
