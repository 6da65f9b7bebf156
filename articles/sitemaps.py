"""The sitemaps: an index (sitemap.xml) naming one sitemap per section (pages, articles, tags,
authors), each split into pages of at most `limit` addresses (?p=2 ...). The protocol allows
50,000, but one page of 10,000 articles is 1.7 MB and 0.8 s of CPU to render, and a few
crawlers asking for it at once held every worker thread (the benchmark's requests timed
out): 1,000 a page, as Yoast SEO does. A page reads only its own rows: the sections are
querysets (a COUNT for the paginator, then one slice), and the index asks each section for
its newest change with an aggregate, never by loading every row."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from . import selectors
from .models import MODIFIED_AT, Article


def whole_seconds(moment: datetime | None) -> datetime | None:
    """The index prints its lastmods in full (date:"c"): to the second is all crawlers need."""
    return moment.replace(microsecond=0) if moment else None


class ArticleSitemap(Sitemap):
    limit = 1000  # addresses a page: see the module docstring
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return (
            Article.objects.published()
            .annotate(modified=MODIFIED_AT)
            .only("slug")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item: Article):
        # The page's own "Updated" (its JSON-LD dateModified): a typo fix, a tag or an
        # import is no significant change for a crawler to fetch the page again for.
        return item.modified

    def get_latest_lastmod(self):
        newest = Article.objects.published().aggregate(last=Max(MODIFIED_AT))["last"]
        return whole_seconds(newest)


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        # The newest change among each tag's published articles is the tag page's lastmod.
        return selectors.tag_counts_public().annotate(
            last_change=Max("articles_taggedarticle_items__content_object__updated_at")
        )

    def location(self, item) -> str:
        return reverse("articles:tag", args=[item.slug])

    def lastmod(self, item):
        return item.last_change

    def get_latest_lastmod(self):
        # A tag's newest change is one of its published articles': the newest of those.
        tagged = Article.objects.published().filter(tags__isnull=False)
        return whole_seconds(tagged.aggregate(last=Max("updated_at"))["last"])


class AuthorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return selectors.author_list_public()

    def lastmod(self, item):
        # The newer of the profile's own change and its newest published article's (written
        # or reviewed).
        return max(filter(None, (item.updated_at, item.last_change)), default=None)

    def get_latest_lastmod(self):
        found = selectors.author_list_public().aggregate(
            profile=Max("updated_at"), article=Max("last_change")
        )
        return whole_seconds(max(filter(None, found.values()), default=None))


class PageSitemap(Sitemap):
    """The home page and the topics and authors indexes change whenever the newest article
    does."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["articles:list", "articles:tags", "articles:authors", "articles:follow"]

    def location(self, item: str) -> str:
        return reverse(item)

    @cached_property
    def newest_change(self):
        return Article.objects.published().aggregate(last=Max("updated_at"))["last"]

    def lastmod(self, item: str):
        return self.newest_change

    def get_latest_lastmod(self):
        return whole_seconds(self.newest_change)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
