"""RSS 2.0 and Atom feeds, site-wide and per tag, carrying each article's full content.

The content is the stored, sanitised section HTML (see articles.content) with its headings;
feed readers get the whole article, as readers of the site do. Feeds are cached whole per
content version and answer conditional requests with a 304.

Feed readers tell entries apart by their id (RSS `guid`, Atom `id`). An article's address
changes when its slug is renamed, so its id is a tag URI (RFC 4151) on what never changes:
the site's domain, the day the article was created and its primary key. Every entry names an
author (Atom requires one): the article's, or the site when it has none.
"""

from __future__ import annotations

import copy
from datetime import UTC
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from . import selectors
from .cache import cache_public_page
from .models import Article


class FullContentRss(Rss201rev2Feed):
    """RSS 2.0 with the article body in <content:encoded>."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class FullContentAtom(Atom1Feed):
    """Atom with the article body in <content type="html">."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestArticlesFeed(Feed):
    feed_type = FullContentRss
    title = settings.SITE_NAME
    description = "Calm, practical writing on stress, sleep, healing and kindness."

    @method_decorator(cache_public_page(shows="texts"))
    def __call__(self, request, *args, **kwargs):
        # One Feed instance serves every request: the request goes on a copy.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def link(self):
        return reverse("articles:list")

    def feed_url(self):
        return reverse(
            "articles:feed-atom" if self.feed_type is FullContentAtom else "articles:feed"
        )

    def subtitle(self):
        return self.description

    # The feed's own author: Atom entries without one of their own fall back to it.
    author_name = settings.SITE_NAME

    def author_link(self) -> str:
        return self.request.build_absolute_uri(reverse("articles:list"))

    def items(self):
        return selectors.article_feed_public()[: settings.ARTICLES_FEED_ITEMS]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.standfirst

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        # The update readers are told of (the page's "Updated"), not every save: a feed
        # reader marks an item changed when this moves.
        return item.modified_at

    def item_author_name(self, item: Article) -> str:
        # The byline's names (annotated by the feed's query), else the login user's full
        # name (never the login name: half of what an attacker needs to sign in).
        if names := getattr(item, "byline_names", None):
            return ", ".join(names)
        return (item.author.get_full_name() if item.author else "") or settings.SITE_NAME

    def item_guid(self, item: Article) -> str:
        return article_tag_uri(item, authority=self.request.get_host())

    item_guid_is_permalink = False

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item: Article) -> dict:
        # A health article carries its sources and the medical disclaimer, as on its page.
        disclaimer = self.disclaimer if item.health_content else ""
        html = render_to_string(
            "articles/feed_content.html",
            {"article": item, "request": self.request, "disclaimer": disclaimer},
        )
        return {"content_html": html}

    @cached_property
    def disclaimer(self) -> str:
        """The owners' text, read once per request (each has its copy of the feed) and
        only when an item needs it."""
        return selectors.site_notices().disclaimer


def article_tag_uri(article: Article, *, authority: str) -> str:
    """tag:example.org,2025-05-01:article/42, the same whatever the article is renamed to.

    The authority is ARTICLES_FEED_ID_DOMAIN, or else the host the feed is read on (without
    a port); the date is the article's creation day in UTC, so a TIME_ZONE change keeps it.
    """
    domain = settings.ARTICLES_FEED_ID_DOMAIN or urlsplit(f"//{authority}").hostname
    created = article.created_at.astimezone(UTC).date().isoformat()
    return f"tag:{domain},{created}:article/{article.pk}"


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = FullContentAtom


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str):
        tag = selectors.tag_public(slug=slug)
        if tag is None:
            raise Http404("No published article has this tag.")
        return tag

    def title(self, tag) -> str:
        return f"{settings.SITE_NAME}: {tag.name}"

    def description(self, tag) -> str:
        return f"Articles about {tag.name} from {settings.SITE_NAME}."

    def subtitle(self, tag) -> str:
        return self.description(tag)

    def link(self, tag) -> str:
        return reverse("articles:tag", args=[tag.slug])

    def feed_url(self, tag) -> str:
        name = (
            "articles:tag-feed-atom" if self.feed_type is FullContentAtom else "articles:tag-feed"
        )
        return reverse(name, args=[tag.slug])

    def items(self, tag):
        return selectors.article_feed_public().filter(tags=tag)[: settings.ARTICLES_FEED_ITEMS]


class TagAtomFeed(TagFeed):
    feed_type = FullContentAtom
