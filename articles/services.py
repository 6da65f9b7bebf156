"""Writes that span models. Keyword-only, typed, named <thing>_<action>."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from .citations import cited_in_message, headings_citing
from .content import ContentError, ImportDocument, ParsedSection, unique_anchor
from .dates import publication_now
from .images import CleanImage, ImageRejected, file_delete_on_commit, image_clean
from .medical_review import reviewer_problem
from .models import (
    Article,
    ArticleAuthor,
    AuthorLink,
    AuthorProfile,
    Section,
    SlugRedirect,
    Source,
)
from .publishing_checks import article_check_before_publishing

# The derived fields, for one article or all of them, in three statements:
# - search_vector: title A, standfirst B, headings and tag names C, bodies D, with word
#   positions (for "exact phrases"); GIN-indexed. Each hyphenated compound is indexed
#   joined too, just before itself ("self-care" also as "selfcare"), so a reader's
#   "wellbeing" finds "well-being"; its parts are indexed by PostgreSQL's parser anyway
#   ("self care" finds "self-care"). The query side joins hyphenated words the same way
#   (selectors.search_query). Up to three parts: "mother-in-law".
# - the article's SearchPassage rows, for snippets: its standfirst (position 0) and each
#   section (its heading, then its body) as plain text, one line per block (paragraph,
#   list item, heading, quote), so list items never run together, each with its own
#   vector (the same words and joined compounds, unweighted) to pick the passage that
#   matches best. Inline tags vanish ("<em>calm</em>," stays "calm,"); entities stay (the
#   snippet filter unescapes them after cutting). Only passages whose text changed are
#   written; those of removed sections are deleted.
# - text_digest: MD5 of the words (title, standfirst, each section's level, heading and
#   body in order): a medical review covers the digest it was recorded on
#   (articles.medical_review).
# - listed_digest: MD5 of what lists and cards show of the article, and its medical review
#   as its reviewer's author page lists it (who, when, whether it covers the words now: the
#   first edit after a review changes that); the refresh says whose changed, so a typo fixed
#   in one article's text renders only the pages showing that text again (articles.signals,
#   articles.cache).
# - derived_at: when this ran, so after every saved change to the article, its sections,
#   sources or tags; the parts of its page that depend on it alone are cached under it.
# Citation markers go first: their text is a source's key, not words of the article.
_CITATIONS_OUT = r"""regexp_replace({}, '<cite data-source="[^"]*">[^<]*</cite>', '', 'g')"""
_PLAIN = (
    r"regexp_replace(regexp_replace({}, '</?(strong|b|em|i|a|code)(\s[^>]*)?>', '', 'gi'), "
    r"'<[^>]*>', E'\n', 'g')"
).replace("{}", _CITATIONS_OUT)
_JOINED = (
    r"regexp_replace({}, '\m([[:alpha:]]+)-([[:alpha:]]+)(-([[:alpha:]]+))?\M', "
    r"'\1\2\4 \1-\2\3', 'g')"
)
#: Blocks one line each, spaces and blank lines squeezed.
_LINES = (
    r"btrim(regexp_replace(regexp_replace({}, '[[:space:]]*\n[[:space:]]*', E'\n', 'g'), "
    r"'[ \t\r\f\v]+', ' ', 'g'), E' \n')"
)

_LISTED_DIGEST = """md5(ROW(
        a.title, a.slug, a.standfirst, a.cover, a.cover_width, a.cover_height,
        a.cover_renditions, a.status, a.published_at, a.expires_at, a.featured,
        s.reading_time, a.author_id, a.primary_tag_id, s.tag_ids,
        a.reviewer_id, a.reviewed_at,
        a.reviewed_text_digest = md5(a.title || chr(31) || a.standfirst || chr(30) || s.text_parts)
        )::text)"""

_REFRESH_SQL = """
UPDATE articles_article AS a SET
    search_vector =
        setweight(to_tsvector('english', {title}), 'A')
        || setweight(to_tsvector('english', {standfirst}), 'B')
        || setweight(to_tsvector('english', {headings_and_tags}), 'C')
        || setweight(to_tsvector('english', {bodies}), 'D'),
    text_digest = md5(a.title || chr(31) || a.standfirst || chr(30) || s.text_parts),
    listed_digest = {listed_digest},
    derived_at = clock_timestamp(),
    reading_time = s.reading_time
FROM (SELECT *, greatest(1, ceil(
        coalesce(array_length(regexp_split_to_array(
            trim(standfirst || ' ' || headings || ' ' || bodies), '\\s+'), 1), 0)
        / {words_per_minute}::numeric)) AS reading_time
FROM (
    SELECT a2.id AS article_id,
           a2.standfirst,
           a2.listed_digest AS listed_before,
           coalesce(string_agg(sec.heading, ' ' ORDER BY sec.position), '') AS headings,
           coalesce(string_agg({plain_body}, E'\\n' ORDER BY sec.position), '') AS bodies,
           coalesce(string_agg(sec.level || chr(31) || sec.heading || chr(31) || sec.body,
                               chr(30) ORDER BY sec.position), '') AS text_parts,
           coalesce((SELECT string_agg(t.name, ' ')
                     FROM articles_taggedarticle AS ta JOIN taggit_tag AS t ON t.id = ta.tag_id
                     WHERE ta.content_object_id = a2.id), '') AS tag_names,
           (SELECT array_agg(ta.tag_id ORDER BY ta.tag_id)
            FROM articles_taggedarticle AS ta WHERE ta.content_object_id = a2.id) AS tag_ids
    FROM articles_article AS a2
    LEFT JOIN articles_section AS sec ON sec.article_id = a2.id
    WHERE {where}
    GROUP BY a2.id
) AS parts) AS s
WHERE a.id = s.article_id
RETURNING a.id, a.slug, a.listed_digest IS DISTINCT FROM s.listed_before
"""

# An upsert, not a delete and an insert: two refreshes of one article at once (each after
# its own commit) both end in the same rows, never in a duplicate.
_PASSAGES_SQL = """
INSERT INTO articles_searchpassage AS p (article_id, position, text, search_vector)
SELECT article_id, position, text, to_tsvector('english', {joined_text})
FROM (
    SELECT a2.id AS article_id, 0 AS position, {standfirst_text} AS text
    FROM articles_article AS a2
    WHERE {where}
    UNION ALL
    SELECT sec.article_id, sec.position, {section_text}
    FROM articles_section AS sec JOIN articles_article AS a2 ON a2.id = sec.article_id
    WHERE {where}
) AS passage
ON CONFLICT (article_id, position) DO UPDATE
    SET text = EXCLUDED.text, search_vector = EXCLUDED.search_vector
    WHERE (p.text, p.search_vector) IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.search_vector)
"""

# Passages of sections (or articles) that no longer exist.
_STALE_PASSAGES_SQL = """
DELETE FROM articles_searchpassage AS p
WHERE {where} AND NOT EXISTS (
    SELECT FROM articles_article AS a
    WHERE a.id = p.article_id AND (p.position = 0 OR EXISTS (
        SELECT FROM articles_section AS sec
        WHERE sec.article_id = p.article_id AND sec.position = p.position
    ))
)
"""


@dataclass(frozen=True)
class Refreshed:
    """An article whose derived fields were just written."""

    slug: str
    #: Whether what lists and cards show of it changed (listed_digest; also when it had
    #: never been derived): the pages listing it must be rendered again.
    listed_changed: bool


def _refresh(article_ids: list[int] | None, *, listed: bool = True) -> dict[int, Refreshed]:
    """The derived fields of these articles (of all: None), in three statements; with
    `listed=False`, all but listed_digest, left for the refresh after the commit to compare."""
    params = [] if article_ids is None else [article_ids]

    def where(column: str) -> str:
        return "TRUE" if article_ids is None else f"{column} = ANY(%s)"

    sql = _REFRESH_SQL.format(
        title=_JOINED.format("a.title"),
        standfirst=_JOINED.format(_PLAIN.format("a.standfirst")),
        headings_and_tags=_JOINED.format("s.headings || ' ' || s.tag_names"),
        bodies=_JOINED.format("s.bodies"),
        plain_body=_PLAIN.format("sec.body"),
        words_per_minute=int(settings.READING_WORDS_PER_MINUTE),
        listed_digest=_LISTED_DIGEST if listed else "a.listed_digest",
        where=where("a2.id"),
    )
    passages = _PASSAGES_SQL.format(
        joined_text=_JOINED.format("passage.text"),
        standfirst_text=_LINES.format(_PLAIN.format("a2.standfirst")),
        section_text=_LINES.format(r"sec.heading || E'\n' || " + _PLAIN.format("sec.body")),
        where=where("a2.id"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        refreshed = {pk: Refreshed(slug, listed) for pk, slug, listed in cursor.fetchall()}
        cursor.execute(passages, params * 2)
        cursor.execute(_STALE_PASSAGES_SQL.format(where=where("p.article_id")), params)
    return refreshed


def article_refresh_derived(*, article_id: int) -> None:
    """Recompute one article's stored search vector, search passages and reading time."""
    articles_refresh_derived(article_ids=[article_id])


def articles_refresh_derived(*, article_ids: list[int]) -> dict[int, Refreshed]:
    """The same for these articles, in three statements: those still there, by id."""
    return _refresh(list(article_ids))


def article_refresh_derived_all() -> None:
    """The same for every article, in three statements (after a bulk load or a change of
    weights: `manage.py refresh_derived`)."""
    _refresh(None)


def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Publish now, or schedule for `at` (a future time keeps it hidden until then).

    Raises PublishingBlocked, publishing nothing, when the checks before publishing find an
    error that settings.PUBLISHING_CHECKS_BLOCK names."""
    article_check_before_publishing(article=article)
    article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or publication_now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


def article_slug_redirect_create(*, article: Article, old_slug: str) -> None:
    """Keep an article's former address working: /articles/<old_slug>/ answers 301.

    Every former address points at the article itself (never at another redirect), so
    renaming twice makes no chain; an address taken back by an article stops redirecting.
    """
    SlugRedirect.objects.filter(old_slug=article.slug).delete()
    if old_slug and old_slug != article.slug:
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": article})


def article_unpublish(*, article: Article) -> Article:
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article


def article_sections_replace(*, article: Article, sections: list[ParsedSection]) -> list[Section]:
    """Make the article's sections exactly `sections`, in order, with unique anchors."""
    article.sections.all().delete()
    taken: set[str] = set()
    return Section.objects.bulk_create(
        [
            # bulk_create skips save(): the bodies in ParsedSection are already sanitised.
            Section(
                article=article,
                position=position,
                heading=parsed.heading,
                level=parsed.level,
                anchor=unique_anchor(parsed.heading, taken),
                body=parsed.body_html,
            )
            for position, parsed in enumerate(sections, start=1)
        ]
    )


@dataclass(frozen=True)
class ImportResult:
    article: Article
    created: bool


def _clean_cover(document: ImportDocument, source_dir: Path) -> CleanImage:
    """The cover file, checked and re-encoded as an editor's upload is (upright, no EXIF/GPS)."""
    cover, line = document.meta["cover"], document.line_of("cover")
    path = (source_dir / cover).resolve()
    if not path.is_file():
        raise ContentError(
            f"cover image {cover} was not found at {path} (a cover is looked for relative "
            "to the Markdown file): put the image there, or correct the cover: line",
            line,
        )
    try:
        return image_clean(data=path.read_bytes(), name=path.name)
    except ImageRejected as error:
        raise ContentError(f"cover image {cover} cannot be used: {error}", line) from None


def _stored_bytes_equal(field_file, content: bytes) -> bool:
    if not field_file:
        return False
    try:
        with field_file.open("rb") as current:
            return hashlib.sha256(current.read()).digest() == hashlib.sha256(content).digest()
    except OSError:
        return False


def tags_for_names(*, names: list[str]) -> list[Tag]:
    """The tags called `names`, in their order, creating the missing ones.

    A tag is found by its name in any case, or by its address ("Face twitching" finds
    face-twitching); a tag whose name is only its address (as imports made them once) takes
    the spelling given, so readers see "Face twitching", not "face-twitching".
    """
    found: list[Tag] = []
    for name in names:
        slug = Tag().slugify(name)  # as taggit makes them
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        if tag.name != name and tag.name == tag.slug == slug:
            tag.name = name
            tag.save(update_fields=["name"])
        if tag not in found:
            found.append(tag)
    return found


def article_text_revised(
    *, article: Article, substantive: bool, at: datetime | None = None
) -> Article:
    """Record that an editor changed the article's words. A `substantive` change is what
    readers see as "Updated" (when it is after the publication day) and structured data as
    dateModified; a minor one (a typo) only moves revised_at, "text last changed"."""
    article.revised_at = at or timezone.now()
    fields = ["revised_at", "updated_at"]
    if substantive:
        article.substantive_change_at = article.revised_at
        fields.append("substantive_change_at")
    article.save(update_fields=fields)
    return article


def article_review_record(
    *, article: Article, reviewer: AuthorProfile, reviewed_on: date
) -> Article:
    """Record that `reviewer` checked the article's words as they are saved now, on
    `reviewed_on`: the review covers them until they change (articles.medical_review).

    The caller has checked the reviewer (credentials) and the date (not in the future)."""
    # The digest of the words saved just now. What lists show is left for the refresh after
    # the commit to compare: a change of it written here would be no news to that refresh,
    # and the pages listing the article would keep a cover or topic changed in the same save.
    _refresh([article.pk], listed=False)
    article.text_digest = Article.objects.values_list("text_digest", flat=True).get(pk=article.pk)
    article.reviewer = reviewer
    article.reviewed_at = reviewed_on
    article.reviewed_text_digest = article.text_digest
    article.save(update_fields=["reviewer", "reviewed_at", "reviewed_text_digest", "updated_at"])
    return article


def article_review_clear(*, article: Article) -> Article:
    """The article names no medical review any more."""
    article.reviewer = None
    article.reviewed_at = None
    article.reviewed_text_digest = ""
    article.save(update_fields=["reviewer", "reviewed_at", "reviewed_text_digest", "updated_at"])
    return article


@transaction.atomic
def article_import(
    *,
    document: ImportDocument,
    source_dir: Path,
    comment: str,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """Create or update (by slug) the article described by a parsed import document.

    Saves a revision of what was imported (`comment`, by `user`), so the first change an
    editor makes afterwards can be compared and undone. A new article without an author
    in the file is `user`'s.
    """
    with reversion.create_revision():
        result = _article_import(document=document, source_dir=source_dir, user=user)
        # The sections are bulk-created after the article's own save: add the article
        # again (with what it follows) so the revision holds them.
        reversion.add_to_revision(result.article)
        reversion.set_comment(comment)
        if user is not None:
            reversion.set_user(user)
    return result


def _article_import(
    *, document: ImportDocument, source_dir: Path, user: AbstractBaseUser | None
) -> ImportResult:
    meta = document.meta
    cover = _clean_cover(document, source_dir) if meta["cover"] else None
    article = Article.objects.filter(slug=meta["slug"]).first()
    created = article is None
    article = article or Article(slug=meta["slug"])
    article.title = meta["title"]
    article.standfirst = meta["standfirst"]
    article.status = meta["status"]
    if meta["published_at"] is None and article.status == Article.Status.PUBLISHED:
        # As in the admin: published with no date means now; a re-import keeps the date
        # the article was first published on.
        article.published_at = article.published_at or publication_now()
    else:
        article.published_at = meta["published_at"]
    # The file's own date, or none (the publication date stands): never the import's time.
    # The file's updated_at is what it tells readers, so a substantive change.
    article.revised_at = article.substantive_change_at = meta["updated_at"]
    article.featured = meta["featured"]
    article.health_content = meta["health_content"]
    article.cover_alt = meta["cover_alt"]
    article.cover_caption = meta["cover_caption"]
    if meta["author"]:
        article.author = get_user_model().objects.filter(username=meta["author"]).first()
    elif created and user is not None:
        article.author = user
    old_cover = article.cover.name if article.cover else ""
    if cover is None:
        article.cover = ""
    elif not _stored_bytes_equal(article.cover, cover.content):
        article.cover.save(cover.name, ContentFile(cover.content), save=False)
    if old_cover and old_cover != article.cover.name:
        file_delete_on_commit(storage=article.cover.storage, name=old_cover)
    reviewer = _import_reviewer(document) if meta["reviewed_by"] else None
    tags = tags_for_names(names=meta["tags"])
    article.primary_tag = next(
        (tag for tag in tags if tag.name.casefold() == meta["primary_tag"].casefold()), None
    )
    article.save()
    article.tags.set(tags, clear=True)
    if meta["authors"]:
        profiles = [author_profile_for(person=person) for person in meta["authors"]]
        article_authors_set(article=article, profiles=profiles)
    elif created and article.author is not None:
        # As in the admin: a new article is its writer's, named by their profile.
        mine = AuthorProfile.objects.filter(user=article.author).first()
        article_authors_set(article=article, profiles=[mine] if mine else [])
    # The search vector and reading time follow on commit (articles.signals).
    article_sections_replace(article=article, sections=document.sections)
    article.sources.all().delete()
    Source.objects.bulk_create(
        Source(article=article, position=position, **fields)
        for position, fields in enumerate(meta["sources"], start=1)
    )
    if reviewer is not None:
        # The file says its text was reviewed: the review covers the words just imported.
        article_review_record(article=article, reviewer=reviewer, reviewed_on=meta["reviewed_at"])
    return ImportResult(article=article, created=created)


def _import_reviewer(document: ImportDocument) -> AuthorProfile:
    """The author profile an import file names as medical reviewer: an existing one (by
    slug, else by name), or one given with its credentials, made when its slug is new. An
    existing profile is never changed by an import (editors keep it in the admin)."""
    ref, line = document.meta["reviewed_by"], document.line_of("reviewed_by")
    if ref.credentials is None:
        profile = (
            AuthorProfile.objects.filter(slug=ref.slug).first()
            or AuthorProfile.objects.filter(name__iexact=ref.name).order_by("pk").first()
        )
        if profile is None:
            raise ContentError(
                f"reviewed_by {ref.name!r} names no author profile: add the profile in the "
                "admin first, or give it in full (reviewed_by: {name: ..., credentials: ...})",
                line,
            )
    else:
        profile, _ = AuthorProfile.objects.get_or_create(
            slug=ref.slug, defaults={"name": ref.name, "credentials": ref.credentials}
        )
    if problem := reviewer_problem(profile):
        raise ContentError(f"reviewed_by: {problem}", line)
    return profile


def _first_free(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` … whichever `taken` does not hold first."""
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def author_slug_free(*, name: str) -> str:
    """An author page address made from `name` that no profile uses yet."""
    base = slugify(name)[:110] or "author"
    taken = set(AuthorProfile.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    return _first_free(base, taken)


def article_slug_free(*, title: str) -> str:
    """An article address made from `title` that no article uses, nor redirects from."""
    base = slugify(title)[:190] or "article"
    taken = {
        *Article.objects.filter(slug__startswith=base).values_list("slug", flat=True),
        *SlugRedirect.objects.filter(old_slug__startswith=base).values_list("old_slug", flat=True),
    }
    return _first_free(base, taken)


def author_profile_for(*, person: dict) -> AuthorProfile:
    """The profile an import's `authors:` entry names (by slug, else by name, ignoring
    case), or a new one made from what the entry says. A profile found is left as the
    editors keep it: a file names its authors, it does not rewrite their pages."""
    found = None
    if person.get("slug"):
        found = AuthorProfile.objects.filter(slug=person["slug"]).first()
    if found is None:
        name = person["name"]
        found = (
            AuthorProfile.objects.filter(slug=name).first()
            or AuthorProfile.objects.annotate(lower=Lower("name"))
            .filter(lower=name.lower())
            .order_by("pk")
            .first()
        )
    if found is not None:
        return found
    name, slug = person["name"], person.get("slug")
    if not slug and name == slugify(name):
        # A slug naming no one yet ("elena-marsh"): their page keeps it, their name is
        # written from it until an editor completes the profile.
        name, slug = name.replace("-", " ").title(), name
    profile = AuthorProfile(
        name=name,
        slug=slug or author_slug_free(name=name),
        credentials=person.get("credentials", ""),
        job_title=person.get("job_title", ""),
        bio=person.get("bio", ""),
    )
    try:
        profile.full_clean()
    except ValidationError as error:
        raise ContentError(f"author {person['name']!r}: {' '.join(error.messages)}") from None
    profile.save()
    AuthorLink.objects.bulk_create(
        AuthorLink(profile=profile, label=link["label"], url=link["url"], position=n)
        for n, link in enumerate(person.get("links", []), start=1)
    )
    return profile


def article_authors_set(*, article: Article, profiles: list[AuthorProfile]) -> None:
    """Make `profiles` the article's byline, in this order (those already in it keep their
    rows, renumbered)."""
    wanted = {profile.pk: position for position, profile in enumerate(profiles, start=1)}
    ArticleAuthor.objects.filter(article=article).exclude(profile_id__in=wanted).delete()
    kept = {row.profile_id: row for row in ArticleAuthor.objects.filter(article=article)}
    for profile_id, position in wanted.items():
        row = kept.get(profile_id) or ArticleAuthor(article=article, profile_id=profile_id)
        if row.pk is None or row.position != position:
            row.position = position
            row.save()


def article_feature(*, article: Article, featured: bool = True) -> Article:
    """Show the article first on the home page (or stop doing so)."""
    article.featured = featured
    article.save(update_fields=["featured", "updated_at"])
    return article


def source_delete(*, source: Source) -> None:
    """Delete one of an article's sources, refused (ValidationError naming the sections)
    while its text cites it."""
    sections = source.article.sections.order_by("position").values_list("heading", "body")
    if headings := headings_citing(source.key, sections):
        raise ValidationError(cited_in_message(source, headings), code="source_cited")
    source.delete()
