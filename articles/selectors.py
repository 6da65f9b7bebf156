"""Reads that span relations. Every public read starts from Article.objects.published()."""

from __future__ import annotations

import difflib
import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, JSONObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from .citations import CitedText, text_cite
from .content import markdown_to_html
from .models import (
    Article,
    ArticleAuthor,
    AuthorLink,
    AuthorProfile,
    HelpResource,
    SearchPassage,
    Section,
    Source,
    TaggedArticle,
    TrustSettings,
    phone_link,
)

# The stored search vector is large (a whole article's) and no page shows it.
_NOT_SHOWN = ("search_vector",)


def _article_page(queryset: QuerySet[Article]) -> QuerySet[Article]:
    # The medical reviewer is joined, not fetched: the byline names them.
    return queryset.select_related("author", "reviewer").defer(*_NOT_SHOWN)


def article_public() -> QuerySet[Article]:
    """Published articles with their author and medical reviewer: what an article page needs
    in one query."""
    return _article_page(Article.objects.published())


def article_moved_to(*, slug: str) -> Article | None:
    """The published article that used to live at `slug`, if any."""
    return article_public().filter(slug_redirects__old_slug=slug).first()


def article_expired(*, slug: str) -> Article | None:
    """The article at `slug` (or at this former address of its) if its expiry took it
    down, with where it sends readers."""
    return (
        Article.objects.expired()
        .filter(Q(slug=slug) | Q(slug_redirects__old_slug=slug))
        .select_related("expired_redirect")
        .defer(*_NOT_SHOWN, *(f"expired_redirect__{name}" for name in _NOT_SHOWN))
        .first()
    )


def article_for_preview() -> QuerySet[Article]:
    """Any article, whatever its status, as the article page reads it (staff preview only)."""
    return _article_page(Article.objects.all())


def article_list_public() -> QuerySet[Article]:
    """Published articles, newest first, with their tags in one extra query."""
    # django-stubs cannot see taggit's (untyped) manager as a relation: a false alarm.
    return article_public().prefetch_related("tags")  # type: ignore[misc]


def article_detail_public() -> QuerySet[Article]:
    """Published articles with sections (in order) and tags prefetched."""
    return article_public().prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("position")),
        "tags",  # type: ignore[misc]  # taggit's untyped manager, as above
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


def article_sources(*, article: Article) -> list[Source]:
    """The article's sources in the order of its Sources list (one query)."""
    return list(article.sources.order_by("position", "id"))


def article_cited_text(*, outline: list[OutlineEntry], sources: list[Source]) -> CitedText:
    """The outline's section bodies with footnote links to `sources`, in reading order."""
    sections = [s for entry in outline for s in (entry.section, *entry.children)]
    return text_cite(sections=sections, sources=sources)


def article_tags(*, article: Article, counts: Mapping[int, int] | None = None) -> list[Tag]:
    """The article's tags by name, each with `article_count`: the published articles that
    carry it, from `counts` (tag_article_counts(), kept by the caller) when given, else
    counted in the same query (the published articles read once). One query."""
    tag_ids = TaggedArticle.objects.filter(content_object_id=article.pk).values("tag_id")
    tags = Tag.objects.filter(pk__in=Subquery(tag_ids)).annotate(
        # Editors' mark (TagSettings): the article shows the "If you need help now" box.
        sensitive=Coalesce("settings__sensitive", False),
    )
    if counts is None:
        carrying = Q(articles_taggedarticle_items__content_object__in=Article.objects.published())
        tags = tags.annotate(article_count=Count("articles_taggedarticle_items", filter=carrying))
    found = list(tags.order_by("name"))
    if counts is not None:
        for tag in found:
            tag.article_count = counts.get(tag.pk, 0)
    return found


def tag_article_counts() -> dict[int, int]:
    """Each tag's number of published articles, by tag id (tags no published article
    carries left out). One query over every published article's tags: the same for every
    article page, so a page keeps it rather than counting its own tags' articles (a scan of
    the published articles each time)."""
    rows = (
        TaggedArticle.objects.filter(content_object__in=Article.objects.published())
        .values("tag_id")
        .annotate(articles=Count("pk"))
        .values_list("tag_id", "articles")
    )
    return dict(rows)


def article_primary_tag(*, article: Article, tags: Iterable[Tag]) -> Tag | None:
    """The tag the article is filed under first: the editor's choice when it is still one
    of its `tags`, else the one most published articles carry (then by name)."""
    tags = list(tags)
    chosen = next((tag for tag in tags if tag.pk == article.primary_tag_id), None)
    return chosen or min(
        tags,
        key=lambda tag: (-getattr(tag, "article_count", 0), tag.name.casefold()),
        default=None,
    )


def article_related(
    *,
    article: Article,
    primary_tag: Tag | None = None,
    limit: int | None = None,
    exclude: Iterable[int] = (),
) -> QuerySet[Article]:
    """Published articles sharing tags with `article`: those filed under its primary tag
    first, then most shared tags, then newest.

    Never the article itself nor those in `exclude` (ids already shown beside it); articles
    sharing no tag are not related. One query: the candidates are ranked by their ids and
    dates alone (the listing index), and only the chosen few are read whole (ranking whole
    rows cost PostgreSQL twice as much).
    """
    tag_ids = TaggedArticle.objects.filter(content_object_id=article.pk).values("tag_id")
    primary_id = primary_tag.pk if primary_tag is not None else None
    ranking = ("-in_primary", "-shared_tags", "-published_at", "-pk")

    def ranked(articles: QuerySet) -> QuerySet:
        return (
            articles.filter(tags__in=Subquery(tag_ids))
            .annotate(
                shared_tags=Count("tags"),
                in_primary=Count("tags", filter=Q(tags__pk=primary_id)),
            )
            .order_by(*ranking)
        )

    chosen = ranked(
        Article.objects.published().exclude(pk__in={article.pk, *exclude}).values("pk")
    ).values("pk")
    return ranked(
        Article.objects.published()
        .defer(*_NOT_SHOWN)
        .filter(pk__in=Subquery(chosen[: limit or settings.ARTICLES_RELATED_COUNT]))
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
    # The outer bounds let each side's index scan start at the article, not at the newest.
    older = public.filter(published_at__lte=when).filter(
        Q(published_at__lt=when) | Q(published_at=when, pk__lt=pk)
    )
    newer = public.filter(published_at__gte=when).filter(
        Q(published_at__gt=when) | Q(published_at=when, pk__gt=pk)
    )
    rows = list(
        older.order_by("-published_at", "-pk")[:1].union(newer.order_by("published_at", "pk")[:1])
    )
    before = (when, pk)
    return Neighbours(
        older=next((a for a in rows if (a.published_at, a.pk) < before), None),
        newer=next((a for a in rows if (a.published_at, a.pk) > before), None),
    )


@dataclass(frozen=True)
class ArticleEnd:
    """Where a reader finishes an article: the previous and next articles, then related
    ones, never one twice nor the article itself."""

    neighbours: Neighbours
    related: list[Article]
    #: Every article the end shows, and the one being read: what any other list there
    #: (Popular Posts, through articles.extensions) leaves out.
    shown_ids: list[int]


def article_end(*, article: Article, primary_tag: Tag | None = None) -> ArticleEnd:
    """The end of `article`'s page, without repeats. Two queries (neighbours, related)."""
    neighbours = article_neighbours(article=article)
    shown = [article.pk] + [a.pk for a in (neighbours.older, neighbours.newer) if a is not None]
    related = list(article_related(article=article, primary_tag=primary_tag, exclude=shown))
    return ArticleEnd(neighbours, related, shown + [a.pk for a in related])


# ---------------------------------------------------------------------------
# Authors


def article_byline(*, article: Article) -> list[AuthorProfile]:
    """The article's authors in byline order, each with `same_as`: their links' addresses
    (for structured data). One query."""
    links = AuthorLink.objects.filter(profile=OuterRef("pk")).order_by("position", "pk")
    return list(
        AuthorProfile.objects.filter(bylines__article=article)
        .annotate(same_as=ArraySubquery(links.values("url")))
        .order_by("bylines__position", "bylines__pk")
    )


def article_feed_public() -> QuerySet[Article]:
    """Published articles as feeds carry them: sections, tags and sources prefetched, and
    `byline_names`, the authors' names in byline order, read in the same query."""
    names = (
        ArticleAuthor.objects.filter(article=OuterRef("pk"))
        .order_by("position", "pk")
        .values("profile__name")
    )
    return (
        article_detail_public()
        .annotate(byline_names=ArraySubquery(names))
        .prefetch_related("sources")
    )


def author_public(*, slug: str) -> AuthorProfile | None:
    """The author with this slug, with their links (two queries), or None."""
    return (
        AuthorProfile.objects.filter(slug=slug)
        .prefetch_related(Prefetch("links", queryset=AuthorLink.objects.order_by("position", "pk")))
        .first()
    )


def article_list_for_author(*, profile: AuthorProfile) -> QuerySet[Article]:
    """The author's published articles, newest first, with their tags."""
    return article_list_public().filter(bylines__profile=profile)


#: How many of a reviewer's reviews their author page lists: the newest, with the count of
#: all. A reader checking a reviewer wants how much and how lately they checked; the page
#: stays one size however many articles a doctor reviews, and every article is still
#: reached from the site's lists.
REVIEWS_SHOWN = 20


@dataclass(frozen=True)
class AuthorReviews:
    """Published articles naming an author as medical reviewer, newest review first (at most
    REVIEWS_SHOWN), and how many there are. Each says through `review_covers_text` whether
    the review covers its words as they are now."""

    articles: list[Article]
    total: int


def author_reviews(*, profile: AuthorProfile, at_most: int | None = None) -> AuthorReviews:
    """The published articles `profile` medically reviewed, the newest `at_most` reviews
    (REVIEWS_SHOWN), in one query: the count of all is a window over the same rows."""
    at_most = REVIEWS_SHOWN if at_most is None else at_most
    articles = list(
        Article.objects.published()
        .filter(reviewer=profile, reviewed_at__isnull=False)
        .annotate(review_total=Window(Count("pk")))
        .only("title", "slug", "reviewer", "reviewed_at", "reviewed_text_digest", "text_digest")
        .order_by("-reviewed_at", "-published_at", "-pk")[:at_most]
    )
    return AuthorReviews(articles, articles[0].review_total if articles else 0)


def _newest_change(articles: QuerySet[Article]) -> Subquery:
    return Subquery(articles.order_by("-updated_at").values("updated_at")[:1])


def _count_of(articles: QuerySet[Article]) -> Coalesce:
    """How many `articles` there are: a count correlated with the outer row."""
    counted = articles.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


def _written_by(profile: OuterRef) -> QuerySet[Article]:
    return Article.objects.published().filter(bylines__profile=profile)


def _reviewed_by(profile: OuterRef) -> QuerySet[Article]:
    return Article.objects.published().filter(reviewer=profile)


def _authors_public() -> QuerySet[AuthorProfile]:
    """Authors with at least one published article they wrote or medically reviewed (their
    page lists both): the people the sitemap and /authors/ name."""
    person = OuterRef("pk")
    return AuthorProfile.objects.filter(Exists(_written_by(person)) | Exists(_reviewed_by(person)))


def author_list_public() -> QuerySet[AuthorProfile]:
    """The public authors, each with `last_change`: the newest change among the articles
    they wrote or reviewed (sitemap)."""
    person = OuterRef("pk")
    return (
        _authors_public()
        # PostgreSQL's greatest() passes over a NULL: someone who only wrote, or only reviewed.
        .annotate(
            last_change=Greatest(
                _newest_change(_written_by(person)), _newest_change(_reviewed_by(person))
            )
        )
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class AuthorIndex:
    """The people behind the articles, by name, each with `written_count` and
    `reviewed_count` (published articles): everyone who medically reviewed at least one,
    then the writers who reviewed none."""

    reviewers: list[AuthorProfile]
    writers: list[AuthorProfile]


def author_index_public() -> AuthorIndex:
    """The public authors with what they published, in one query."""
    person = OuterRef("pk")
    people = list(
        _authors_public()
        .annotate(
            written_count=_count_of(_written_by(person)),
            reviewed_count=_count_of(_reviewed_by(person)),
        )
        .order_by("name", "pk")
    )
    return AuthorIndex(
        reviewers=[person for person in people if person.reviewed_count],
        writers=[person for person in people if not person.reviewed_count],
    )


# ---------------------------------------------------------------------------
# Disclaimer and help


@dataclass(frozen=True)
class HelpLink:
    name: str
    description: str
    phone: str
    phone_link: str
    url: str


@dataclass(frozen=True)
class SiteNotices:
    """The owners' texts (TrustSettings): the disclaimer as sanitised HTML, and the help box."""

    disclaimer: SafeString
    help_introduction: str
    help_resources: tuple[HelpLink, ...]


def site_notices() -> SiteNotices:
    """The disclaimer and the help resources in order, in one query (nothing set: empty)."""
    resources = HelpResource.objects.filter(trust_settings=OuterRef("pk")).order_by(
        "position", "pk"
    )
    row = (
        TrustSettings.objects.filter(pk=TrustSettings.SINGLE_ROW)
        .annotate(
            resources=ArraySubquery(
                resources.values(
                    json=JSONObject(
                        name="name", description="description", phone="phone", url="url"
                    )
                )
            )
        )
        .values("disclaimer", "help_introduction", "resources")
        .first()
    ) or {"disclaimer": "", "help_introduction": "", "resources": []}
    return SiteNotices(
        # The owners' Markdown through the one allow-list every body passes (articles.content).
        disclaimer=mark_safe(markdown_to_html(row["disclaimer"])),
        help_introduction=row["help_introduction"],
        help_resources=tuple(
            HelpLink(**resource, phone_link=phone_link(resource["phone"]))
            for resource in row["resources"]
        ),
    )


@dataclass(frozen=True)
class ArticleNotices:
    """What an article page shows of the site notices: the disclaimer on health articles,
    the help box on articles with a sensitive tag (when there are resources to list)."""

    disclaimer: SafeString | str = ""
    help: SiteNotices | None = None


def article_notices(
    *, article: Article, tags: Iterable[Tag], site: Callable[[], SiteNotices]
) -> ArticleNotices:
    """The notices `article` shows. `tags` from article_tags (with `sensitive`); `site`
    gives the site notices, asked only when the article shows one (no query otherwise)."""
    sensitive = any(getattr(tag, "sensitive", False) for tag in tags)
    if not (article.health_content or sensitive):
        return ArticleNotices()
    notices = site()
    return ArticleNotices(
        disclaimer=notices.disclaimer if article.health_content else "",
        help=notices if sensitive and notices.help_resources else None,
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
# Search: PostgreSQL's full-text search on the stored, weighted, GIN-indexed vector
# (services._REFRESH_SQL), through django.contrib.postgres.

SEARCH_CONFIG = "english"
#: A query's matches ranked at most: its newest ones (docs/scaling.md says why and what it
#: costs). Beyond it a page says "more than".
SEARCH_RANKED_AT_MOST = 500
SNIPPET_WORDS = 35
# Private-use characters mark the highlighted words: they cannot come from the text
# (search_clean takes them out of queries) and survive escaping (search_snippet).
MARK_START, MARK_STOP = "\ue000", "\ue001"

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\ue000-\ue002]+")
# A hyphen between letters ("self-care"), not a leading minus ("-sleep": without).
_COMPOUND_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


def search_clean(text: str | None) -> str:
    """What is worth sending to PostgreSQL: no NUL or control characters, bounded length,
    spaces squeezed (so equal queries share a cached page)."""
    text = _CONTROL_CHARS.sub(" ", text or "")
    return " ".join(text.split())[: settings.ARTICLES_SEARCH_MAX_LENGTH].strip()


def search_query(text: str) -> SearchQuery:
    """What a reader typed, read as on a web search engine ("exact words", or, -without).

    Outside quotes a hyphenated word is searched joined ("well-being" as "wellbeing"), as
    every compound is also indexed joined; inside quotes as written, in order.
    """
    parts = text.split('"')
    parts[0::2] = [_COMPOUND_HYPHEN.sub("", part) for part in parts[0::2]]
    return SearchQuery('"'.join(parts), search_type="websearch", config=SEARCH_CONFIG)


def _highlight_query(text: str) -> SearchQuery:
    """The words to mark in snippets: the searched ones, and a compound's written form."""
    query = search_query(text)
    if _COMPOUND_HYPHEN.search(text):
        query |= SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    return query


def article_search(*, text: str) -> QuerySet[Article]:
    """Published articles matching `text`, best first (`rank`: PostgreSQL's `ts_rank` on
    the weighted vector, title > standfirst > headings and tags > bodies), then newest.

    Only the newest SEARCH_RANKED_AT_MOST matches are ranked: ranking reads each match's
    whole vector, and a common word matches nearly every article.
    """
    query = search_query(text)
    newest = _newest_matches(query).values("pk")
    return (
        Article.objects.filter(pk__in=Subquery(newest))
        .defer(*_NOT_SHOWN)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-published_at", "-pk")
    )


def _newest_matches(query: SearchQuery) -> QuerySet[Article]:
    return (
        Article.objects.published()
        .filter(search_vector=query)
        .order_by("-published_at", "-pk")[:SEARCH_RANKED_AT_MOST]
    )


def article_search_ranking(*, text: str) -> list[tuple[int, float]]:
    """The ids of article_search(text=)'s articles with their `rank`, in its order: one
    query that finds the newest matches and ranks them in the same walk down the listing
    index. (article_search() looks the ranked ids up again in the whole table, which the
    planner does by reading all of it: 4-10 ms of PostgreSQL at 10,000 articles.)"""
    query = search_query(text)
    rows = _newest_matches(query).annotate(rank=SearchRank(F("search_vector"), query))
    # Newest first from PostgreSQL; a stable sort by rank keeps that order among equals.
    return sorted(rows.values_list("pk", "rank"), key=lambda row: -row[1])


def article_search_count(*, text: str, at_most: int | None = None) -> int:
    """How many published articles match `text`, counting no further than `at_most`.

    (Bounded because PostgreSQL's planner does not cost reading each vector: for a word in
    most articles it checks them all, ~70 ms at 10,000, instead of asking the index.)
    """
    matches = Article.objects.published().filter(search_vector=search_query(text)).values("pk")
    return matches[:at_most].count() if at_most else matches.count()


def search_has_terms(*, text: str) -> bool:
    """False when PostgreSQL finds nothing to search for in `text` (only stop words or
    symbols)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery(%s::regconfig, %s)) > 0", [SEARCH_CONFIG, text]
        )
        return cursor.fetchone()[0]


def _is(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


_ANY_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _any_word_query(text: str) -> SearchQuery:
    """Any one of the words of `text` (its quotes and operators aside)."""
    words = dict.fromkeys(w for w in _ANY_WORD.findall(text.lower()) if w != "or")
    return search_query(" or ".join(words))


def with_snippets(articles: QuerySet[Article], *, text: str) -> QuerySet[Article]:
    """`articles` with `snippet`: about 35 words around what matched (PostgreSQL's
    `ts_headline`), in one or two fragments, from the article's standfirst and the one
    section (`SearchPassage`) that matches best: one matching the whole query, else the one
    with most of its words, else the first. Apply to one page of results only: each
    article's passages are looked up and two of them parsed, not the whole article."""
    standfirst_then_best = (
        SearchPassage.objects.filter(article=OuterRef("pk"))
        .annotate(
            standfirst=_is(Q(position=0)),
            whole=_is(Q(search_vector=search_query(text))),
            words=SearchRank(F("search_vector"), _any_word_query(text)),
        )
        .order_by("-standfirst", "-whole", "-words", "position")
        .values("text")[:2]
    )
    passages = Func(
        ArraySubquery(standfirst_then_best),
        Value("\n"),
        function="array_to_string",
        output_field=TextField(),
    )
    return articles.annotate(
        snippet=SearchHeadline(
            passages,
            _highlight_query(text),
            config=SEARCH_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_STOP,
            max_words=SNIPPET_WORDS,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    )


#: What a result's card shows (its link, title, snippet or standfirst, date, reading time,
#: cover or tile): the page is kept in the cache, and other columns would only be carried.
_RESULT_FIELDS = (
    "title",
    "slug",
    "standfirst",
    "published_at",
    "reading_time",
    "cover",
    "cover_alt",
    "cover_caption",
    "cover_renditions",
    "cover_width",
    "cover_height",
)


@dataclass(frozen=True)
class SearchPage:
    """One page of a search, as plain data (kept whole in the cache)."""

    number: int
    #: Published articles matching, counted up to SEARCH_RANKED_AT_MOST: the newest ones,
    #: ranked, and paged through.
    total: int
    results: list[Article]
    has_terms: bool = True
    #: When nothing matches: the query with misspelt words replaced, else "".
    suggestion: str = ""

    @property
    def complete(self) -> bool:
        """False when the count stopped at SEARCH_RANKED_AT_MOST: there may be more."""
        return self.total < SEARCH_RANKED_AT_MOST


def article_search_page(*, text: str, number: int, per_page: int) -> SearchPage:
    """Page `number` of the results for `text`, each with `rank` and `snippet`: two
    queries when the page has results (the ranking, then the page's articles with their
    snippets); one with nothing asks for the suggestion."""
    start = (number - 1) * per_page
    ranking = article_search_ranking(text=text)
    if not ranking:
        has_terms = search_has_terms(text=text)
        suggestion = search_suggestion(text=text) if has_terms else ""
        return SearchPage(number, 0, [], has_terms=has_terms, suggestion=suggestion)
    total, ranks = len(ranking), dict(ranking[start : start + per_page])
    shown = Article.objects.published().filter(pk__in=ranks).only(*_RESULT_FIELDS)
    # Articles annotated with `rank` and `snippet` (not declared on the model).
    found: dict[int, Any] = {a.pk: a for a in with_snippets(shown, text=text)}
    results = [found[pk] for pk in ranks if pk in found]  # one unpublished meanwhile: gone
    for result in results:
        result.rank = ranks[result.pk]
    # Only "exact phrases": mark them, not each of their words wherever it stands.
    phrases_only = '"' in text and not any(_WORD.search(p) for p in text.split('"')[0::2])
    for result in results:
        if MARK_START in (result.snippet or ""):
            result.snippet = search_snippet(result.snippet, phrases_only=phrases_only)
        else:  # found by its title or a tag only: what the article is about
            result.snippet = escape(result.standfirst)
    return SearchPage(number, total, results)


_WORD = re.compile(r"[^\W\d_]{3,}")
_SUGGESTED_WORDS = 5
# pg_trgm's word similarity from which a title's word may stand for a reader's
# ("twiching" ~ "twitching" is 0.58; its operator's default, 0.6, misses it).
_SIMILAR = 0.5


def _closeness(word: str, candidate: str) -> float:
    return difflib.SequenceMatcher(None, word, candidate).ratio()


def search_suggestion(*, text: str) -> str:
    """`text` with each word that is close to (not equal to) a word of a published title
    or a tag name replaced by it: "twiching" → "twitching"; "" when nothing changes.

    pg_trgm's word similarity finds the titles and tags (one query a word, reading every
    published title: only when nothing matched); the closest word in them is chosen here.
    Titles and tags, not every word of every body: they are the site's vocabulary readers
    look for, and need no extra table.
    """
    words = _WORD.findall(text.lower())[:_SUGGESTED_WORDS]
    changed = False
    suggested = []
    for word in words:
        titles = (
            Article.objects.published()
            .annotate(similarity=TrigramWordSimilarity(word, "title"))
            .filter(similarity__gte=_SIMILAR)
            .values_list("title", "similarity")
        )
        tags = (
            Tag.objects.annotate(similarity=TrigramWordSimilarity(word, "name"))
            .filter(similarity__gte=_SIMILAR)
            .values_list("name", "similarity")
        )
        names = [name for name, _ in titles.union(tags).order_by("-similarity")[:5]]
        candidates = {w for name in names for w in _WORD.findall(name.lower())}
        best = max(sorted(candidates), key=functools.partial(_closeness, word), default=word)
        if word in candidates:
            best = word
        changed |= best != word
        suggested.append(best)
    return " ".join(suggested) if changed else ""


_MARKS_APART = re.compile(f"{MARK_STOP}([^\\w\n{MARK_START}{MARK_STOP}]+){MARK_START}")
_ONE_WORD_MARKED = re.compile(f"{MARK_START}(\\w+){MARK_STOP}")


def search_snippet(raw: str, *, phrases_only: bool = False) -> SafeString:
    """The headline as safe HTML: everything escaped, the matches wrapped in <mark>, and
    blocks (one a line in the plain text) kept apart: a block not ending a sentence (a
    heading, a list item) is followed by " · ". An ellipsis shows where it was cut.

    `phrases_only` (the query is "exact phrases"): PostgreSQL marks each word of a phrase
    wherever it is; the words next to each other are marked as one, the others not.
    """
    raw = raw or ""
    if phrases_only:
        raw = _ONE_WORD_MARKED.sub(r"\1", _MARKS_APART.sub(r"\1", raw))
    # Section bodies are stored as HTML, so their text arrives with entities (&amp;).
    blocks = [" ".join(line.split()) for line in html.unescape(raw).splitlines()]
    text = ""
    for block in filter(None, blocks):
        visible = text.replace(MARK_START, "").replace(MARK_STOP, "")
        if text:
            text += " " if visible[-1] in ".!?…:;" else " · "
        text += block
    visible = text.replace(MARK_START, "").replace(MARK_STOP, "")
    if visible[:1].islower():
        text = f"… {text}"
    if visible and visible[-1] not in ".!?…:":
        text = f"{text} …"
    text = escape(text)
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))
