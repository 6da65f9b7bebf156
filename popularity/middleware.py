"""Counts a view after the public article page has been built for a real reader."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache
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
                article_id = _article_id(request, response)
                if article_id is not None:
                    view_record(
                        article_id=article_id,
                        ip=client_ip(request),
                        user_agent=request.META.get("HTTP_USER_AGENT", ""),
                        origin=request_origin(request),
                    )
        except Exception:
            logger.exception("popularity: a view could not be counted (page served anyway)")
        return response

    @staticmethod
    def _is_reader_view(request: HttpRequest, response: HttpResponse) -> bool:
        if request.method != "GET" or response.status_code not in (200, 304):
            return False
        match = _resolver_match(request)
        if match is None or match.view_name != COUNTED_VIEW:
            return False
        if is_speculative(request) or is_crawler(request.META.get("HTTP_USER_AGENT", "")):
            return False
        return not is_staff(request)


def _resolver_match(request: HttpRequest) -> ResolverMatch | None:
    # A page answered from a cache middleware never reached URL resolution.
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def _article_id(request: HttpRequest, response: HttpResponse) -> int | None:
    """The article the view just rendered, or (for a cached page) a cached slug lookup."""
    context = getattr(response, "context_data", None) or {}
    if context.get("preview"):  # belt and braces: a preview is never a reader's view
        return None
    article = context.get("object")
    if isinstance(article, Article):
        return article.pk
    match = _resolver_match(request)
    if match is None:
        return None
    slug = match.kwargs.get("slug", "")
    # Keyed by the content version the page itself was found under (read once per request
    # already): a slug that moves to another article is never stale, and no extra read.
    key = f"popularity:slug:{content_state(request).version}:{slug}"
    article_id = cache.get(key)
    if article_id is None:
        article_id = Article.objects.published().filter(slug=slug).values_list("pk", flat=True)
        article_id = article_id.first()
        if article_id is not None:
            cache.set(key, article_id, _SLUG_CACHE_SECONDS)
    return article_id
