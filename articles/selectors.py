"""Reads that span relations. Every public read starts from Article.objects.published()."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from . import search
from .cache import content_state
from .models import Article, Section, TaggedArticle
from .search import MARK_START, MARK_STOP, SEARCH_CONFIG

# The stored search vector is large (a whole article's lexemes) and no page shows it.
_NOT_SHOWN = ("search_vector", "search_lexemes", "search_text")


def _article_page(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("author").defer(*_NOT_SHOWN)


def article_public() -> QuerySet[Article]:
    """Published articles with their author: what an article page needs in one query."""
    return _article_page(Article.objects.published())


def article_moved_to(*, slug: str) -> Article | None:
    """The published article that used to live at `slug`, if any."""
    return article_public().filter(slug_redirects__old_slug=slug).first()


def article_for_preview() -> QuerySet[Article]:
    """Any article, whatever its status, as the article page reads it (staff preview only)."""
    return _article_page(Article.objects.all())


def article_list_public() -> QuerySet[Article]:
    """Published articles, newest first, with their tags in one extra query."""
    return article_public().prefetch_related("tags")


def article_detail_public() -> QuerySet[Article]:
    """Published articles with sections (in order) and tags prefetched."""
    return article_public().prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("position")),
        "tags",
    )


def _featured_ids() -> QuerySet:
    return Article.objects.published().filter(featured=True).values("pk")[:1]


def article_featured() -> Article | None:
    """The newest published article marked featured (with its tags), if any."""
    return article_list_public().filter(featured=True).first()


def article_list_latest() -> QuerySet[Article]:
    """The home page list: every published article except the featured one shown above it."""
    return article_list_public().exclude(pk__in=Subquery(_featured_ids()))


def article_list_for_tag(*, tag: Tag) -> QuerySet[Article]:
    return article_list_public().filter(tags=tag)


# ---------------------------------------------------------------------------
# Article page


@dataclass
class OutlineEntry:
    """A section with the subsections (H3) that follow it."""

    section: Section
    children: list[Section] = field(default_factory=list)


def article_outline(*, article: Article) -> list[OutlineEntry]:
    """The article's sections in order, each H3 nested under the H2 before it (one query)."""
    outline: list[OutlineEntry] = []
    for section in article.sections.order_by("position"):
        if section.level == Section.Level.H3 and outline:
            outline[-1].children.append(section)
        else:
            outline.append(OutlineEntry(section))
    return outline


def article_related(*, article: Article, limit: int | None = None) -> QuerySet[Article]:
    """Published articles sharing tags with `article`: most shared tags first, then newest.

    Never the article itself; articles sharing no tag are not related. One query.
    """
    tag_ids = TaggedArticle.objects.filter(content_object_id=article.pk).values("tag_id")
    return (
        Article.objects.published()
        .defer(*_NOT_SHOWN)
        .exclude(pk=article.pk)
        .filter(tags__in=Subquery(tag_ids))
        .annotate(shared_tags=Count("tags"))
        .order_by("-shared_tags", "-published_at", "-pk")[
            : limit or settings.ARTICLES_RELATED_COUNT
        ]
    )


@dataclass(frozen=True)
class Neighbours:
    older: Article | None
    newer: Article | None


def article_neighbours(*, article: Article) -> Neighbours:
    """The published articles just before and after `article` in publication order.

    One query (a UNION of the two one-row lookups); none for an undated draft.
    """
    if article.published_at is None:
        return Neighbours(None, None)
    when, pk = article.published_at, article.pk
    public = Article.objects.published().only("title", "slug", "published_at")
    older = public.filter(Q(published_at__lt=when) | Q(published_at=when, pk__lt=pk))
    newer = public.filter(Q(published_at__gt=when) | Q(published_at=when, pk__gt=pk))
    rows = list(
        older.order_by("-published_at", "-pk")[:1].union(newer.order_by("published_at", "pk")[:1])
    )
    before = (when, pk)
    return Neighbours(
        older=next((a for a in rows if (a.published_at, a.pk) < before), None),
        newer=next((a for a in rows if (a.published_at, a.pk) > before), None),
    )


# ---------------------------------------------------------------------------
# Tags


def tag_counts_public() -> QuerySet[Tag]:
    """Tags with the number of published articles filed under each; tags with none hidden."""
    return (
        Tag.objects.filter(
            articles_taggedarticle_items__content_object__in=Article.objects.published()
        )
        .annotate(article_count=Count("articles_taggedarticle_items"))
        .order_by("name")
    )


def tag_public(*, slug: str) -> Tag | None:
    """The tag with this slug, if at least one published article carries it."""
    return tag_counts_public().filter(slug=slug).first()


# ---------------------------------------------------------------------------
# Search

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\ue000-\ue002]+")


def search_clean(text: str | None) -> str:
    """What is worth sending to PostgreSQL: no NUL or control characters, bounded length."""
    text = _CONTROL_CHARS.sub(" ", text or "")
    return " ".join(text.split())[: settings.ARTICLES_SEARCH_MAX_LENGTH].strip()


class SearchResults(Sequence):
    """The published articles matching a query, best first, as a paginator wants them:
    an exact `count()` and slices of articles, each with `rank` and a marked `snippet`.

    Ordinary queries are answered from the word lists kept per content version (see
    articles/search.py); exact phrases, which need word positions, by PostgreSQL whole.
    """

    def __init__(self, text: str, version: object) -> None:
        tsquery = search.parsed_query(text)
        #: False when PostgreSQL finds nothing to search for (only stop words, symbols).
        self.has_terms = bool(tsquery)
        self._ranked = self._whole = None
        try:
            tree = search.parse_tsquery(tsquery)
        except search.Unsupported:
            self._whole = article_search_whole(text=text)
            return
        if tree is not None:
            self._ranked = search.Ranked(tree, version)
            self._lexemes = search.lexemes_of(tree)

    def count(self) -> int:
        if self._whole is not None:
            return self._whole.count()
        return len(self._ranked) if self._ranked is not None else 0

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            found = self[index : index + 1] if index >= 0 else list(self)[index:]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop, _ = index.indices(self.count())
        if self._whole is not None:
            return list(self._whole[start:stop])
        if self._ranked is None or stop <= start:
            return []
        return search.page_articles(self._ranked.best(stop)[start:stop], self._lexemes)

    def __iter__(self):
        return iter(self[:])


def article_search(*, text: str, version: object = None) -> SearchResults:
    """Published articles matching `text` (web-search syntax, English stemming), best first,
    weighted title > standfirst > headings > bodies. `version` is the content version the
    kept word lists belong to (the current one if not given)."""
    if version is None:
        version = content_state().version
    return SearchResults(text, version)


def article_search_whole(*, text: str) -> QuerySet[Article]:
    """`article_search` done wholly by PostgreSQL: the stored, GIN-indexed vectors give the
    matches, `ts_rank` ranks them all and `ts_headline` cuts each snippet."""
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    # "Exact phrases" need word positions, which only the full vector keeps; every other
    # query matches on the compact one (see services._REFRESH_SQL).
    matches = {"search_vector": query} if '"' in text else {"search_lexemes": query}
    return (
        Article.objects.published()
        .defer(*_NOT_SHOWN)
        .filter(**matches)
        .annotate(
            rank=SearchRank(F("search_lexemes"), query),
            # The stored plain text the kept-list path cuts its snippets from, too.
            snippet=SearchHeadline(
                F("search_text"),
                query,
                config=SEARCH_CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def search_snippet(raw: str) -> SafeString:
    """The headline as safe HTML: everything escaped, then the matches wrapped in <mark>.

    An ellipsis shows where the text was cut mid-sentence.
    """
    # Section bodies are stored as HTML, so their text arrives with entities (&amp;).
    text = " ".join(html.unescape(raw or "").split())
    visible = text.replace(MARK_START, "").replace(MARK_STOP, "")
    if visible[:1].islower():
        text = f"… {text}"
    if visible and visible[-1] not in ".!?…:":
        text = f"{text} …"
    text = escape(text)
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))
