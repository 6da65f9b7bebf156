"""Thin views over the selectors.

Every public page answers conditional requests (ETag/Last-Modified from the content
version, see articles.cache) and caches its rendered main part as fragments. The views
themselves always run, so per-request work (view counting) still sees every request.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.core.cache import cache
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject, cached_property
from django.views.generic import DetailView, ListView, TemplateView

from happyinnerself.ratelimit import rate_limit

from . import selectors
from .cache import cache_key, cached_value, conditional_response, content_state, current_page
from .sitemaps import SITEMAPS

_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def page_number(request) -> int:
    """?page= as a positive whole number; anything else is a page that does not exist."""
    raw = request.GET.get("page")
    if raw is None:
        return 1
    if not _PAGE_NUMBER.fullmatch(raw):
        raise Http404("There is no such page.")
    return int(raw)


class StrictPaginationMixin:
    """?page= beyond the end, zero, negative or not a number answers 404, never 500."""

    def get_paginate_by(self, queryset) -> int:
        return settings.ARTICLES_PER_PAGE

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        try:
            page = paginator.page(page_number(self.request))
        except InvalidPage:
            raise Http404("There is no such page.") from None
        return paginator, page, page.object_list, page.has_other_pages()


class CachedCountPaginator(Paginator):
    """Counts once per content version, so a cached list page costs no query at all."""

    def __init__(self, *args, state, count_key: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        self.state, self.count_key = state, count_key

    @cached_property
    def count(self) -> int:
        return cached_value(self.state, "count", self.count_key, self.object_list.count)


class ContentListView(StrictPaginationMixin, ListView):
    """A paginated list of published articles, revalidated and cached by content version."""

    context_object_name = "articles"

    def count_key(self) -> tuple:
        return (self.request.resolver_match.view_name,)

    def get(self, request, *args, **kwargs):
        return conditional_response(
            request, lambda: super(ContentListView, self).get(request, *args, **kwargs)
        )

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        return CachedCountPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            state=content_state(self.request),
            count_key=self.count_key(),
        )


class ArticleListView(ContentListView):
    """Home: the featured article, then the latest ones."""

    template_name = "articles/article_list.html"

    def get_queryset(self):
        return selectors.article_list_latest()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = context["page_obj"].number == 1
        # Lazy: evaluated only when the cached fragment has to be rendered again.
        context["featured"] = SimpleLazyObject(selectors.article_featured) if first else None
        return context


class TagDetailView(ContentListView):
    template_name = "articles/tag_detail.html"

    def get(self, request, *args, **kwargs):
        if (kept := current_page(request)) is not None:
            return kept  # kept under the current version: the tag still has articles
        slug = kwargs["slug"]
        state = content_state(request)
        self.tag = cached_value(state, "tag", (slug,), lambda: selectors.tag_public(slug=slug))
        if self.tag is None:
            raise Http404("No published article has this tag.")
        return super().get(request, *args, **kwargs)

    def count_key(self) -> tuple:
        return (*super().count_key(), self.tag.pk)

    def get_queryset(self):
        return selectors.article_list_for_tag(tag=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagIndexView(TemplateView):
    template_name = "articles/tag_list.html"

    def get(self, request, *args, **kwargs):
        return conditional_response(
            request, lambda: super(TagIndexView, self).get(request, *args, **kwargs)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(tags=selectors.tag_counts_public(), **kwargs)


class SearchPaginator(Paginator):
    """The pages of a search whose one asked-for page is already fetched (`SearchPage`)."""

    def __init__(self, found: selectors.SearchPage, per_page: int):
        super().__init__(found.results, per_page)
        self.found = found

    @cached_property
    def count(self) -> int:
        return self.found.ranked

    def page(self, number) -> Page:
        return Page(self.found.results, self.validate_number(number), self)


@method_decorator(rate_limit("search", setting="SEARCH_RATE_LIMIT"), name="dispatch")
class SearchView(StrictPaginationMixin, ListView):
    """Full-text search. An empty query, or one of only stop words, gets a friendly page.

    Each page of results is kept in the shared cache under the content version, the query
    and the page number: a search asked again costs one cache read.
    """

    template_name = "articles/search.html"
    context_object_name = "results"

    def get_queryset(self) -> selectors.SearchPage | None:
        self.query = selectors.search_clean(self.request.GET.get("q"))
        if not self.query:
            return None
        number, per_page = page_number(self.request), self.get_paginate_by(None)
        key = cache_key(content_state(self.request), "search", self.query, number, per_page)
        found = cache.get(key)
        if found is None:
            found = selectors.article_search_page(text=self.query, number=number, per_page=per_page)
            cache.set(key, found, settings.ARTICLES_CACHE_SECONDS)
        return found

    def paginate_queryset(self, queryset, page_size):
        if queryset is None:
            return None, None, [], False
        return super().paginate_queryset(queryset, page_size)

    def get_paginator(self, queryset, per_page, **kwargs) -> SearchPaginator:
        return SearchPaginator(queryset, per_page)

    def get_context_data(self, **kwargs):
        found = self.object_list
        return super().get_context_data(
            query=self.query,
            found=found,
            nothing_to_search=found is None or not found.has_terms,
            **kwargs,
        )


class ArticleDetailView(DetailView):
    """The article page.

    Everything in the context is built from `self.object`, lazily, so the preview view
    (a subclass allowing drafts, with `preview` in its context) gets the same page, and a
    page kept whole costs no query at all (see cache.current_page). Previews are never cached.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return selectors.article_public()

    #: False for the staff preview, which must never be answered from the readers' cache.
    public = True

    def get(self, request, *args, **kwargs):
        if self.public and (kept := current_page(request)) is not None:
            return kept  # still published: a kept page belongs to the current version
        try:
            self.object = self.get_object()
        except Http404:
            # A published article renamed since: its old address moves for good.
            moved = selectors.article_moved_to(slug=kwargs["slug"]) if "slug" in kwargs else None
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())
        context = self.get_context_data(object=self.object)
        if context.get("preview"):
            response = self.render_to_response(context)
            add_never_cache_headers(response)
            return response
        return conditional_response(request, lambda: self.render_to_response(context))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        # Nothing is queried (or even built) until a fragment has to be rendered again.
        context.update(
            outline=SimpleLazyObject(lambda: selectors.article_outline(article=article)),
            tags=SimpleLazyObject(lambda: list(article.tags.order_by("name"))),
            related=SimpleLazyObject(lambda: list(selectors.article_related(article=article))),
            neighbours=SimpleLazyObject(lambda: selectors.article_neighbours(article=article)),
        )
        return context


def robots_txt(request) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {sitemap}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response


def sitemap_xml(request):
    """The sitemap, kept whole per content version like the feeds."""
    state = content_state(request)
    key = cache_key(state, "sitemap", request.scheme, request.get_host())

    def render() -> HttpResponse:
        body = cache.get(key)
        if body is None:
            body = sitemap(request, sitemaps=SITEMAPS).render().content
            cache.set(key, body, settings.ARTICLES_CACHE_SECONDS)
        response = HttpResponse(body, content_type="application/xml")
        response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's view does
        return response

    return conditional_response(request, render, state)
