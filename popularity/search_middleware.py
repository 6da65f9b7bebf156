"""Counts site searches and the results readers open from them (counting/searches.py).

The search page says how many articles it found in a header (articles.views.
SEARCH_RESULTS_HEADER), kept with the page in the cache and carried by its 304s, so a
search answered from the cache or revalidated is counted like one that was run; this
middleware takes the header off before the page leaves. The same promises as counting
views: GET only, no bots, prefetches or staff, and nothing at all for a reader whose
browser asks not to be tracked (Sec-GPC, DNT).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from articles.views import SEARCH_RESULTS_HEADER
from core.search_terms import search_normalise

from .client import is_crawler, is_speculative, is_staff, opted_out
from .counting.searches import (
    POSITION_PARAMETER,
    opened_result,
    search_open_record,
    search_record,
)
from .middleware import COUNTED_VIEW, resolver_match_of, viewed_article_id

logger = logging.getLogger(__name__)

COUNTED_SEARCH = "articles:search"


class SearchCountingMiddleware:
    """Place it beside ViewCountingMiddleware (after AuthenticationMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        results = response.get(SEARCH_RESULTS_HEADER)
        if results is not None:
            del response[SEARCH_RESULTS_HEADER]
        try:
            # A 304 is the reader's browser revalidating its copy: a search (or an opening) made
            # again, counted like the 200, as an article's 304 is a view.
            if request.method != "GET" or response.status_code not in (200, 304):
                return response
            if results is None and POSITION_PARAMETER not in request.GET:
                return response  # most pages: neither a search nor a result opened
            match = resolver_match_of(request)
            view_name = match.view_name if match else ""
            if view_name == COUNTED_SEARCH and results is not None:
                query = search_normalise(request.GET.get("q"))
                if query and results.isdigit() and _is_reader(request):
                    search_record(query=query, results=int(results))
            elif view_name == COUNTED_VIEW and (opened := opened_result(request.GET)):
                if _is_reader(request):
                    article_id = viewed_article_id(request, response)
                    if article_id is not None:
                        search_open_record(
                            query=opened[0], position=opened[1], article_id=article_id
                        )
        except Exception:
            # Never the query in the log: it may be what the reader typed.
            logger.exception("popularity: a search could not be counted (page served anyway)")
        return response


def _is_reader(request: HttpRequest) -> bool:
    if opted_out(request) or is_speculative(request):
        return False
    return not (is_crawler(request.META.get("HTTP_USER_AGENT", "")) or is_staff(request))
