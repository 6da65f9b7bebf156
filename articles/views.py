"""Thin views over the selectors.

Every public page is kept whole in the shared cache under its canonical address and the
versions of what it shows, and answers conditional requests (articles.cache).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib.sitemaps import views as sitemaps_views
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from core.ratelimit import rate_limit
from core.search_terms import search_normalise

from . import selectors
from .cache import cache_public_page, content_state
from .sitemaps import SITEMAPS

T = TypeVar("T")

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


class ContentListView(StrictPaginationMixin, ListView):
    """A paginated list of published articles."""

    context_object_name = "articles"


@method_decorator(cache_public_page(extended=True), name="get")
class ArticleListView(ContentListView):
    """Home: the featured article, then the latest ones."""

    template_name = "articles/article_list.html"

    def get_queryset(self):
        return selectors.article_list_latest()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = context["page_obj"].number == 1
        context["featured"] = selectors.article_featured() if first else None
        return context


@method_decorator(cache_public_page, name="get")
class TagDetailView(ContentListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = selectors.tag_public(slug=self.kwargs["slug"])
        if self.tag is None:
            raise Http404("No published article has this tag.")
        return selectors.article_list_for_tag(tag=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


@method_decorator(cache_public_page, name="get")
class AuthorDetailView(ContentListView):
    """An author's page: who they are, their published articles, newest first, and on the
    first page the published articles they medically reviewed (the review line of every
    health article links here)."""

    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.profile = selectors.author_public(slug=self.kwargs["slug"])
        if self.profile is None:
            raise Http404("No author has this address.")
        return selectors.article_list_for_author(profile=self.profile)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(profile=self.profile, **kwargs)
        if context["page_obj"].number == 1:
            context["reviews"] = selectors.author_reviews(profile=self.profile)
        return context


@method_decorator(cache_public_page, name="get")
class AuthorIndexView(TemplateView):
    """Who writes the articles and who checks the health ones: where a reader goes to
    judge the people behind the advice (and where /authors/ leads, trimmed from an
    author's address)."""

    template_name = "articles/author_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(people=selectors.author_index_public(), **kwargs)


@method_decorator(cache_public_page, name="get")
class TagIndexView(TemplateView):
    template_name = "articles/tag_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tags=selectors.tag_counts_public(), **kwargs)


@method_decorator(cache_public_page, name="get")
class FollowView(TemplateView):
    """How to follow the site in a feed reader: where the "Follow along" links lead a person,
    rather than to the feed's raw XML (feed readers find the feeds in every page's head)."""

    template_name = "articles/follow.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            feed_url=reverse("articles:feed"), tags=selectors.tag_counts_public(), **kwargs
        )


class SearchPaginator(Paginator):
    """The pages of a search whose one asked-for page is already fetched (`SearchPage`)."""

    def __init__(self, found: selectors.SearchPage, per_page: int):
        super().__init__(found.results, per_page)
        self.found = found

    @cached_property
    def count(self) -> int:
        return self.found.total

    def page(self, number) -> Page:
        return Page(self.found.results, self.validate_number(number), self)


# The number of articles a search found, on the response of its first page (see SearchView).
SEARCH_RESULTS_HEADER = "X-Search-Results"


@method_decorator(rate_limit("search", setting="SEARCH_RATE_LIMIT"), name="dispatch")
class SearchView(StrictPaginationMixin, ListView):
    """Full-text search. An empty query, or one of only stop words, gets a friendly page.

    Each page of results is kept in the shared cache under the content version, the query
    and the page number: a search asked again costs one cache read.
    """

    template_name = "articles/search.html"
    context_object_name = "results"

    # A revalidation answered 304 still says how many articles the search found: counting
    # counts it like the 200 (as an article's 304 is a view).
    @method_decorator(cache_public_page(shows="texts", carry=(SEARCH_RESULTS_HEADER,)))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> selectors.SearchPage | None:
        self.query = selectors.search_clean(self.request.GET.get("q"))
        if not self.query:
            return None
        number, per_page = page_number(self.request), self.get_paginate_by(None)
        # Kept per content version and normalised query, however the query was typed.
        digest = hashlib.sha256(f"{self.query}\n{number}\n{per_page}".encode()).hexdigest()
        key = f"search:{content_state(self.request).content.token}:{digest[:32]}"
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
        context = super().get_context_data(
            query=self.query,
            found=found,
            nothing_to_search=found is None or not found.has_terms,
            **kwargs,
        )
        # Each result link says its position and the search (`sp`, `sq`: tracking parameters, left
        # out of the article's canonical address), so "which result was opened" can be told.
        # Never a query that looks like personal data: those links carry nothing.
        page, counted = context.get("page_obj"), search_normalise(self.query)
        first = page.start_index() if page else 1
        context["linked_results"] = [
            (result, "?" + urlencode({"sp": first + i, "sq": counted}) if counted else "")
            for i, result in enumerate(context["results"] or [])
        ]
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        found = context["found"]
        page = context.get("page_obj")
        # A search (its first page; paging is not a new search) tells other apps how many
        # articles it found, in a header the page is kept with (counting strips it).
        if found is not None and found.has_terms and (page is None or page.number == 1):
            response[SEARCH_RESULTS_HEADER] = str(found.total)
        return response


def kept_per_listed_version(request, name: str, read: Callable[[], T]) -> T:
    """What `read` gives, the same for every page: read once per listed version (what
    lists show, articles.cache) and kept in the shared cache under it."""
    key = f"{name}:{content_state(request).listed.token}"
    found = cache.get(key)
    if found is None:
        found = read()
        cache.set(key, found, settings.ARTICLES_FRAGMENT_CACHE_SECONDS)
    return found


def site_notices(request) -> selectors.SiteNotices:
    """The disclaimer and help resources, read once per listed version for every page."""
    return kept_per_listed_version(request, "site-notices", selectors.site_notices)


@dataclass(frozen=True)
class Filing:
    """Where the article is filed: its primary tag, or None (a lazy object cannot be None)."""

    primary_tag: Tag | None


class ArticleDetailView(DetailView):
    """The article page.

    Everything in the context is built from `self.object`, lazily, so the preview view
    (a subclass allowing drafts, with `preview` in its context) gets the same page, and a
    page kept whole costs no query at all (see cache.cache_public_page). Previews are never
    cached.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return selectors.article_public()

    #: False for the staff preview, which must never be answered from the readers' cache.
    public = True

    def get(self, request, *args, **kwargs):
        if self.public:
            return self.public_get(request, *args, **kwargs)
        return self.page(request, *args, **kwargs)

    @method_decorator(cache_public_page(shows="article", extended=True))
    def public_get(self, request, *args, **kwargs):
        return self.page(request, *args, **kwargs)

    def page(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            # A published article renamed since: its old address moves for good.
            moved = selectors.article_moved_to(slug=kwargs["slug"]) if "slug" in kwargs else None
            if moved is None:
                return self.gone(request, slug=kwargs.get("slug"))
            return HttpResponsePermanentRedirect(moved.get_absolute_url())
        context = self.get_context_data(object=self.object)
        response = self.render_to_response(context)
        if context.get("preview"):
            add_never_cache_headers(response)
        return response

    def gone(self, request, *, slug: str | None) -> HttpResponse:
        """An article its expiry unpublished: a 301 to the article chosen for its readers
        (while that one is public), else 410 Gone. Anything else: 404."""
        expired = selectors.article_expired(slug=slug) if slug else None
        if expired is None:
            raise Http404("No article lives at this address.")
        target = expired.expired_redirect
        if target is not None and target.is_public:
            return HttpResponsePermanentRedirect(target.get_absolute_url())
        return render(request, "410.html", status=410)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        # Nothing is queried (or even built) until a fragment has to be rendered again.
        tags = SimpleLazyObject(
            lambda: selectors.article_tags(
                article=article,
                counts=kept_per_listed_version(
                    self.request, "tag-article-counts", selectors.tag_article_counts
                ),
            )
        )
        primary = SimpleLazyObject(
            lambda: Filing(selectors.article_primary_tag(article=article, tags=tags))
        )
        outline = SimpleLazyObject(lambda: selectors.article_outline(article=article))
        sources = SimpleLazyObject(lambda: selectors.article_sources(article=article))
        context.update(
            outline=outline,
            byline=SimpleLazyObject(lambda: selectors.article_byline(article=article)),
            sources=sources,
            # Footnote links in the text and the Sources list they point to (and back).
            cited=SimpleLazyObject(
                lambda: selectors.article_cited_text(outline=outline, sources=sources)
            ),
            tags=tags,
            filing=primary,
            # The disclaimer and the help box: outside the article's own fragment, so the
            # owners' edits (new versions of every page, articles.signals) show at once.
            notices=SimpleLazyObject(
                lambda: selectors.article_notices(
                    article=article, tags=tags, site=lambda: site_notices(self.request)
                )
            ),
        )
        # The end of the article shows no article twice (articles.selectors.article_end);
        # `shown_article_ids` tells the boxes other apps add there what to leave out.
        end = SimpleLazyObject(
            lambda: selectors.article_end(article=article, primary_tag=primary.primary_tag)
        )
        listed = content_state(self.request).listed.token
        context.update(
            related=SimpleLazyObject(lambda: end.related),
            neighbours=SimpleLazyObject(lambda: end.neighbours),
            shown_article_ids=SimpleLazyObject(lambda: self.shown_ids(end, listed=listed)),
            # Everything but the sidebar is kept under the article's own rows (pk,
            # updated_at, derived_at: any saved change to it, its sections, sources or tags)
            # and the listed version (what other articles, tags and authors show), so a
            # new ETag for the sidebar's sake (`page_validators`: a ranking's new period)
            # renders only the sidebar and the page around it; and the cover, contents,
            # text and sources under the article's rows alone, so a new listed version does
            # not render them again either.
            fragment_seconds=settings.ARTICLES_FRAGMENT_CACHE_SECONDS,
            listed_version=listed,
        )
        return context

    def shown_ids(self, end: selectors.ArticleEnd, *, listed: str) -> list[int]:
        """The articles the page shows (`ArticleEnd.shown_ids`), which the sidebar's lists
        leave out: kept beside the page's fragment, under the same versions, so that a page
        whose fragment is kept asks no query for them."""
        if not self.public:
            return end.shown_ids
        article = self.object
        key = make_template_fragment_key(
            "article_shown", [article.pk, article.updated_at, article.derived_at, listed]
        )
        ids = cache.get(key)
        if ids is None:
            ids = end.shown_ids
            cache.set(key, ids, settings.ARTICLES_FRAGMENT_CACHE_SECONDS)
        return ids


def robots_txt(request) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    # Not /search/: its pages say `noindex` themselves, which a crawler barred from
    # fetching them would never read (a disallowed address can still be listed, bare).
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_URL}",
        "",
        f"Sitemap: {sitemap}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response


#: How long browsers and proxies may keep /favicon.ico's redirect: a day, so a new icon
#: (a new hashed name) reaches everyone within one.
FAVICON_MAX_AGE = 60 * 60 * 24


@require_safe
def favicon_ico(request) -> HttpResponse:
    """/favicon.ico, where browsers, feed readers and crawlers look without being told:
    a redirect to the static icon (hashed in production, so cached for good there)."""
    response = HttpResponseRedirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response


@cache_public_page(shows="texts")
def sitemap_index(request):
    """sitemap.xml: the index of the sections' sitemaps and their pages (Django's view)."""
    return sitemaps_views.index(request, sitemaps=SITEMAPS, sitemap_url_name="sitemap-section")


@cache_public_page(shows="texts")
def sitemap_section(request, section: str):
    """One page (?p=) of one section's sitemap. Kept whole like every public page: its
    canonical address, and so its ETag and cache key, carry the page number."""
    return sitemaps_views.sitemap(request, sitemaps=SITEMAPS, section=section)
