"""sitemap.xml: the home page, the topics, every published article and every tag in use."""

from __future__ import annotations

from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from . import selectors
from .models import Article


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        # A list, so the sitemap's paginator counts it without a COUNT query.
        return list(
            Article.objects.published().only("slug", "updated_at").order_by("-published_at", "-pk")
        )

    def lastmod(self, item: Article):
        return item.updated_at


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        # The newest change among each tag's published articles is the tag page's lastmod.
        return list(
            selectors.tag_counts_public().annotate(
                last_change=Max("articles_taggedarticle_items__content_object__updated_at")
            )
        )

    def location(self, item) -> str:
        return reverse("articles:tag", args=[item.slug])

    def lastmod(self, item):
        return item.last_change


class PageSitemap(Sitemap):
    """The home page and the topics index change whenever the newest article does."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["articles:list", "articles:tags"]

    def location(self, item: str) -> str:
        return reverse(item)

    @cached_property
    def newest_change(self):
        return Article.objects.published().aggregate(last=Max("updated_at"))["last"]

    def lastmod(self, item: str):
        return self.newest_change


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "tags": TagSitemap}
