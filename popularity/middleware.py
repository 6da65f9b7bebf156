"""Counts a view after the public article page has been built for a real reader."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import BaseCache, cache, caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, resolve

from articles.cache import content_state
from articles.models import Article
from core.client import client_ip

from .client import is_crawler, is_speculative, is_staff
from .counting.origin import request_origin
from .counting.record import view_record

logger = logging.getLogger(__name__)

COUNTED_VIEW = "articles:detail"
_SLUG_CACHE_SECONDS = 600


class ViewCountingMiddleware:
    """Place it after AuthenticationMiddleware and before any cache-fetching middleware.

    It counts a 200 and a 304 (a reader's browser revalidating its copy is a view too).
    It never counts HEAD or other methods, other answers (404 for drafts and unknown
    slugs), other URL names (the editors' preview has its own), prefetch/prerender,
    crawlers or agent-less clients, or logged-in staff. A failure to count is logged; the
    page is always returned as built.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            if self._is_reader_view(request, response):
                article_id = viewed_article_id(request, response)
                if article_id is not None:
                    view_record(
                        article_id=article_id,
                        ip=client_ip(request),
                        user_agent=request.META.get("HTTP_USER_AGENT", ""),
                        origin=request_origin(request),
                        from_article_id=_referring_article_id(request, article_id),
                    )
        except Exception:
            logger.exception("popularity: a view could not be counted (page served anyway)")
        return response

    @staticmethod
    def _is_reader_view(request: HttpRequest, response: HttpResponse) -> bool:
        if request.method != "GET" or response.status_code not in (200, 304):
            return False
        match = resolver_match_of(request)
        if match is None or match.view_name != COUNTED_VIEW:
            return False
        if is_speculative(request) or is_crawler(request.META.get("HTTP_USER_AGENT", "")):
            return False
        return not is_staff(request)


def resolver_match_of(request: HttpRequest) -> ResolverMatch | None:
    # A page answered from a cache middleware never reached URL resolution.
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def viewed_article_id(request: HttpRequest, response: HttpResponse) -> int | None:
    """The article the view just rendered, or the one a kept page shows, or (for a 304) a
    cached slug lookup."""
    context = getattr(response, "context_data", None) or {}
    if context.get("preview"):  # belt and braces: a preview is never a reader's view
        return None
    article = context.get("object")
    if isinstance(article, Article):
        return article.pk
    # A kept page names the article it shows (articles.cache.kept_page).
    if (kept := getattr(response, "shown_pk", None)) is not None:
        return kept
    match = resolver_match_of(request)
    if match is None:
        return None
    return _published_article_id(request, match.kwargs.get("slug", ""))


def _referring_article_id(request: HttpRequest, article_id: int) -> int | None:
    """The published article whose page sent the reader to this one ("read A, then B"): the
    Referer is an article address on this site. None for any other referrer, and for the
    article itself (a reload, a link within the page)."""
    referer = request.META.get("HTTP_REFERER", "")[:2048].strip()
    try:
        parts = urlsplit(referer)
        host = parts.hostname or ""
    except ValueError:  # a malformed address: no path to tell
        return None
    own = request.get_host().lower().split(":")[0].removeprefix("www.")
    if not host or host.removeprefix("www.") != own:
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.view_name != COUNTED_VIEW:
        return None
    # Kept in the process's own cache: the referrer costs no call to a shared cache server.
    local = caches["local"] if "local" in settings.CACHES else cache
    from_id = _published_article_id(request, match.kwargs.get("slug", ""), kept_in=local)
    return from_id if from_id != article_id else None


def _published_article_id(
    request: HttpRequest, slug: str, *, kept_in: BaseCache = cache
) -> int | None:
    """The published article at `slug` (a lookup kept in the cache), or None."""
    # Keyed by the listed version (addresses, visibility) the page was found under (read
    # once per request already): a slug that moves to another article is never stale.
    key = f"popularity:slug:{content_state(request).listed.token}:{slug}"
    article_id = kept_in.get(key)
    if article_id is None:
        article_id = Article.objects.published().filter(slug=slug).values_list("pk", flat=True)
        article_id = article_id.first()
        if article_id is not None:
            kept_in.set(key, article_id, _SLUG_CACHE_SECONDS)
    return article_id
