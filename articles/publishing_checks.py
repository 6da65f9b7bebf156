"""Checks before publishing: what an editor should fix or consider before readers see an article.

Each check is a pure function over an `ArticleDraft` (the article's fields and its sections, as
saved or as typed in the form) and returns `Finding`s: what is wrong, what to do, and the form
field to go to. A check that finds an *error* (a missing alt text, a skipped heading level, a
broken link...) blocks publishing when its name is in settings.PUBLISHING_CHECKS_BLOCK;
otherwise it is shown as a warning. Warnings (lengths, reading ease) never block.

`article_findings()` runs them all on a saved article (the change form's panel, the bulk
action, services.article_publish); the admin runs them on the form's data when an editor
publishes (articles.admin.publishing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks as system_checks
from django.db.models import TextChoices

from .content import reading_minutes, word_count
from .models import Article, SlugRedirect
from .references import cited_keys

TITLE_LENGTH = (30, 60)  # search results show about 60 characters of a title
STANDFIRST_LENGTH = (70, 160)  # and about 160 of a description; social cards less
READING_EASE_MIN = 50  # Flesch: 60–70 is plain English; under 50 reads as difficult
LONG_SENTENCE_WORDS = 25
LONG_PARAGRAPH_WORDS = 150
LONGEST_SHOWN = 3  # the longest sentences (and paragraphs) named, of those too long


class Level(TextChoices):
    ERROR = "error", "Must fix"
    WARNING = "warning", "Consider"
    INFO = "info", "Good to know"


class Check(TextChoices):
    """The checks, by the name settings.PUBLISHING_CHECKS_BLOCK uses."""

    TITLE_LENGTH = "title_length", "Title length"
    STANDFIRST_LENGTH = "standfirst_length", "Standfirst length"
    ALT_TEXT = "alt_text", "Alt text on every image"
    HEADINGS = "headings", "Headings in order"
    EMPTY_SECTIONS = "empty_sections", "No empty sections"
    PRIMARY_TAG = "primary_tag", "A primary tag"
    INTERNAL_LINKS = "internal_links", "Links to published articles"
    EXTERNAL_LINKS = "external_links", "Well-formed links"
    READING_EASE = "reading_ease", "Reading ease"
    LONG_SENTENCES = "long_sentences", "Long sentences"
    LONG_PARAGRAPHS = "long_paragraphs", "Long paragraphs"
    READING_TIME = "reading_time", "Reading time"
    CITATIONS = "citations", "Citations name a source"
    HEALTH_SOURCES = "health_sources", "Sources for health content"
    MEDICAL_REVIEW = "medical_review", "A medical reviewer for health content"


@dataclass(frozen=True)
class Finding:
    check: str
    level: str
    message: str
    #: The id of the form field (or section) to go to, without "#": "id_title", "sections-1".
    field: str

    @property
    def blocks(self) -> bool:
        return self.level == Level.ERROR

    @property
    def level_label(self) -> str:
        return Level(self.level).label


@dataclass(frozen=True)
class SectionDraft:
    heading: str
    level: int
    body: str  # sanitised HTML
    #: The section's place in the form (0-based): its fields are id_sections-<index>-…
    index: int

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def name(self) -> str:
        return f"section {self.number} (“{self.heading}”)"

    @property
    def name_first(self) -> str:
        """The name at the start of a sentence."""
        return f"Section {self.number} (“{self.heading}”)"

    @property
    def row(self) -> str:
        return f"sections-{self.index}"

    def field(self, name: str) -> str:
        return f"id_sections-{self.index}-{name}"


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    standfirst: str
    slug: str = ""
    has_cover: bool = False
    cover_alt: str = ""
    has_primary_tag: bool = False
    sections: Sequence[SectionDraft] = ()
    #: Slugs that answer as a published article (or redirect to one): internal links check.
    published_slugs: frozenset[str] = field(default_factory=frozenset)
    #: The keys of the article's sources (None: not known here, so not checked).
    source_keys: frozenset[str] | None = None
    health_content: bool = False
    #: A medical review covers the text as it stands (articles.medical_review).
    review_current: bool = False


# ---------------------------------------------------------------------------
# Reading the HTML of a section body


class _BodyParser(HTMLParser):
    """Paragraph texts, link targets and images (with their alt, or None) of one body."""

    BLOCKS = {"p", "li", "blockquote", "ul", "ol", "br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.links: list[str] = []
        self.images: list[tuple[str, str | None]] = []
        self._text: list[str] = []

    def _end_block(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._text)).strip()
        if text:
            self.paragraphs.append(text)
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.BLOCKS:
            self._end_block()
        elif tag == "a" and values.get("href") is not None:
            self.links.append((values["href"] or "").strip())
        elif tag == "img":
            self.images.append((values.get("src") or "", values.get("alt")))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._end_block()

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._end_block()


def parse_body(html: str) -> _BodyParser:
    parser = _BodyParser()
    parser.feed(html or "")
    parser.close()
    return parser


# ---------------------------------------------------------------------------
# Reading ease (Flesch, for English)

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’][A-Za-z]+)?|\d+")


def syllables(word: str) -> int:
    """Syllables in an English word, by vowel groups: a good enough count for Flesch."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 1  # a number or a symbol reads as one beat or more; count one
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|(?<![td])ed|[^laeiouy]e)$", "", word)  # silent endings
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", word)))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if _WORD.search(s)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def flesch_reading_ease(text: str) -> float | None:
    """206.835 − 1.015 × words per sentence − 84.6 × syllables per word; None without words."""
    found = words(text)
    if not found:
        return None
    count = max(1, len(sentences(text)))
    per_word = sum(syllables(word) for word in found) / len(found)
    return 206.835 - 1.015 * (len(found) / count) - 84.6 * per_word


def _ease_label(score: float) -> str:
    for limit, label in [
        (90, "very easy"),
        (80, "easy"),
        (70, "fairly easy"),
        (60, "plain English"),
        (50, "fairly difficult"),
        (30, "difficult"),
    ]:
        if score >= limit:
            return label
    return "very difficult"


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _quote(text: str, limit: int = 70) -> str:
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


# ---------------------------------------------------------------------------
# The checks


def _length(
    check: str, field: str, text: str, bounds: tuple[int, int], *, too_long: str, too_short: str
) -> list[Finding]:
    shortest, longest = bounds
    length = len(text.strip())
    if shortest <= length <= longest:
        return []
    advice = too_long if length > longest else too_short
    message = advice.format(length=_count(length, "character"), shortest=shortest, longest=longest)
    return [Finding(check, Level.WARNING, message, field)]


def check_title_length(draft: ArticleDraft) -> list[Finding]:
    return _length(
        Check.TITLE_LENGTH,
        "id_title",
        draft.title,
        TITLE_LENGTH,
        too_long="The title has {length}: search results cut titles after about "
        "{longest}. Shorten it, or put its key words first.",
        too_short="The title has {length}: between {shortest} and {longest} tells searchers "
        "more of what the article offers.",
    )


def check_standfirst_length(draft: ArticleDraft) -> list[Finding]:
    return _length(
        Check.STANDFIRST_LENGTH,
        "id_standfirst",
        draft.standfirst,
        STANDFIRST_LENGTH,
        too_long="The standfirst has {length}: search results and social cards cut it "
        "after about {longest}. Shorten it to its first promise.",
        too_short="The standfirst has {length}: {shortest} to {longest} fill a search result or "
        "a social card and say why the article is worth reading.",
    )


def check_alt_text(draft: ArticleDraft) -> list[Finding]:
    found = []
    if draft.has_cover and not draft.cover_alt.strip():
        found.append(
            Finding(
                Check.ALT_TEXT,
                Level.ERROR,
                "The cover image has no alt text: describe what it shows for readers who "
                "cannot see it.",
                "id_cover_alt",
            )
        )
    for section in draft.sections:
        missing = [src for src, alt in parse_body(section.body).images if not (alt or "").strip()]
        if missing:
            found.append(
                Finding(
                    Check.ALT_TEXT,
                    Level.ERROR,
                    f"{_count(len(missing), 'image')} in {section.name} without alt text: "
                    "describe what each shows.",
                    section.row,
                )
            )
    return found


def check_headings(draft: ArticleDraft) -> list[Finding]:
    found = []
    previous = None
    for section in draft.sections:
        if section.level == 3 and previous is None:
            found.append(
                Finding(
                    Check.HEADINGS,
                    Level.ERROR,
                    f"{section.name_first} is a subheading (H3) with no heading (H2) "
                    "before it: make it a heading, or add a heading above it.",
                    section.field("level"),
                )
            )
        elif section.level > (previous or 2) + 1 or section.level not in (2, 3):
            found.append(
                Finding(
                    Check.HEADINGS,
                    Level.ERROR,
                    f"{section.name_first} skips a heading level: use a heading (H2) "
                    "or a subheading (H3) under one.",
                    section.field("level"),
                )
            )
        if section.level == 2:
            previous = 2
        elif previous is not None:
            previous = max(previous, section.level)
    return found


def check_empty_sections(draft: ArticleDraft) -> list[Finding]:
    return [
        Finding(
            Check.EMPTY_SECTIONS,
            Level.ERROR,
            f"{section.name_first} has a heading and no text: write its text, or "
            "delete the section.",
            section.row,
        )
        for section in draft.sections
        if not parse_body(section.body).paragraphs
    ]


def check_primary_tag(draft: ArticleDraft) -> list[Finding]:
    if draft.has_primary_tag:
        return []
    return [
        Finding(
            Check.PRIMARY_TAG,
            Level.ERROR,
            "No primary tag: choose the topic this article belongs to first (its breadcrumb "
            "and related articles). A new article can choose one once it is saved with tags.",
            "id_primary_tag",
        )
    ]


_ARTICLE_PATH = re.compile(r"^/articles/(?P<slug>[-\w]+)/?$")


def internal_slug(href: str) -> str | None:
    """The slug an internal article link points at (/articles/<slug>/, on this site), or None."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.hostname not in _site_hosts():
        return None
    match = _ARTICLE_PATH.match(parts.path)
    return match["slug"] if match else None


def _site_hosts() -> set[str]:
    return {host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"}


def _links(draft: ArticleDraft) -> Iterable[tuple[SectionDraft, str]]:
    for section in draft.sections:
        for href in parse_body(section.body).links:
            yield section, href


def internal_slugs(draft: ArticleDraft) -> set[str]:
    return {slug for _, href in _links(draft) if (slug := internal_slug(href))}


def check_internal_links(draft: ArticleDraft) -> list[Finding]:
    found = []
    for section, href in _links(draft):
        slug = internal_slug(href)
        if slug and slug != draft.slug and slug not in draft.published_slugs:
            found.append(
                Finding(
                    Check.INTERNAL_LINKS,
                    Level.ERROR,
                    f"The link to {href} in {section.name} leads to no published article: "
                    "correct the address, or publish that article first.",
                    section.row,
                )
            )
    return found


def external_link_problem(href: str) -> str | None:
    """Why `href` is not a well-formed link (None when it is)."""
    if not href:
        return "is empty"
    if href.startswith(("#", "/", "mailto:")) and not href.startswith("//"):
        return None
    try:
        parts = urlsplit(href)
        host = parts.hostname or ""
    except ValueError:
        return "is not a web address"
    if parts.scheme not in ("http", "https"):
        return "has no https:// in front"
    if not host or " " in href or (host != "localhost" and "." not in host.strip(".")):
        return "has no valid host after https://"
    return None


def check_external_links(draft: ArticleDraft) -> list[Finding]:
    return [
        Finding(
            Check.EXTERNAL_LINKS,
            Level.ERROR,
            f"The link {_quote(href or '(empty)')} in {section.name} {problem}: write the full "
            "address, such as https://example.org/page.",
            section.row,
        )
        for section, href in _links(draft)
        if (problem := external_link_problem(href))
    ]


def _paragraphs(draft: ArticleDraft) -> list[tuple[SectionDraft, str]]:
    return [
        (section, paragraph)
        for section in draft.sections
        for paragraph in parse_body(section.body).paragraphs
    ]


def check_reading_ease(draft: ArticleDraft) -> list[Finding]:
    text = "\n".join(paragraph for _, paragraph in _paragraphs(draft))
    score = flesch_reading_ease(text)
    if score is None:
        return []
    label = _ease_label(score)
    if score < READING_EASE_MIN:
        return [
            Finding(
                Check.READING_EASE,
                Level.WARNING,
                f"Reading ease (Flesch) is {score:.0f}, {label}: shorter sentences and "
                f"shorter words make it easier; {READING_EASE_MIN} or more suits most readers.",
                "sections-group",
            )
        ]
    return [
        Finding(
            Check.READING_EASE,
            Level.INFO,
            f"Reading ease (Flesch) is {score:.0f}, {label}.",
            "sections-group",
        )
    ]


def check_long_sentences(draft: ArticleDraft) -> list[Finding]:
    long = [
        (len(words(sentence)), section, sentence)
        for section, paragraph in _paragraphs(draft)
        for sentence in sentences(paragraph)
        if len(words(sentence)) > LONG_SENTENCE_WORDS
    ]
    long.sort(key=lambda item: -item[0])
    return [
        Finding(
            Check.LONG_SENTENCES,
            Level.WARNING,
            f"A sentence of {count} words in {section.name}: {_quote(sentence, 60)} "
            f"Consider splitting it (up to {LONG_SENTENCE_WORDS} words reads easily).",
            section.row,
        )
        for count, section, sentence in long[:LONGEST_SHOWN]
    ]


def check_long_paragraphs(draft: ArticleDraft) -> list[Finding]:
    long = [
        (len(words(paragraph)), section, paragraph)
        for section, paragraph in _paragraphs(draft)
        if len(words(paragraph)) > LONG_PARAGRAPH_WORDS
    ]
    long.sort(key=lambda item: -item[0])
    return [
        Finding(
            Check.LONG_PARAGRAPHS,
            Level.WARNING,
            f"A paragraph of {count} words in {section.name}, starting {_quote(paragraph, 40)}: "
            f"on a phone that is a wall of text; consider splitting it (up to "
            f"{LONG_PARAGRAPH_WORDS} words).",
            section.row,
        )
        for count, section, paragraph in long[:LONGEST_SHOWN]
    ]


def check_reading_time(draft: ArticleDraft) -> list[Finding]:
    parts = [draft.standfirst]
    for section in draft.sections:
        parts += [section.heading, *parse_body(section.body).paragraphs]
    text = " ".join(parts)
    count = word_count(text)
    minutes = reading_minutes(count)
    return [
        Finding(
            Check.READING_TIME,
            Level.INFO,
            f"About {minutes} minute{'s' if minutes != 1 else ''} to read ({count} words).",
            "sections-group",
        )
    ]


def check_citations(draft: ArticleDraft) -> list[Finding]:
    """A citation naming no source of the article would show readers nothing to check."""
    if draft.source_keys is None:
        return []
    found = []
    for section in draft.sections:
        missing = sorted(set(cited_keys(section.body)) - draft.source_keys)
        if missing:
            found.append(
                Finding(
                    Check.CITATIONS,
                    Level.ERROR,
                    f"{section.name_first} cites {_count(len(missing), 'source')} the article "
                    f"does not have ({', '.join(missing)}): add the source under Sources with "
                    "that citation key, or remove the citation.",
                    section.row,
                )
            )
    return found


def check_health_sources(draft: ArticleDraft) -> list[Finding]:
    if not draft.health_content or draft.source_keys is None or draft.source_keys:
        return []
    return [
        Finding(
            Check.HEALTH_SOURCES,
            Level.WARNING,
            "A health article with no sources: add the studies or guidelines it relies on "
            "under Sources, and cite them in the text, so readers can check it.",
            "sources-group",
        )
    ]


def check_medical_review(draft: ArticleDraft) -> list[Finding]:
    if not draft.health_content or draft.review_current:
        return []
    return [
        Finding(
            Check.MEDICAL_REVIEW,
            Level.WARNING,
            "This health article has no medical review of its current text: readers and "
            "search engines trust medical facts someone with credentials has checked. Name "
            "the reviewer and the day they checked it (Medical review).",
            "id_reviewer",
        )
    ]


CHECKS: list[Callable[[ArticleDraft], list[Finding]]] = [
    check_title_length,
    check_standfirst_length,
    check_alt_text,
    check_headings,
    check_empty_sections,
    check_primary_tag,
    check_internal_links,
    check_external_links,
    check_reading_ease,
    check_long_sentences,
    check_long_paragraphs,
    check_reading_time,
    check_citations,
    check_health_sources,
    check_medical_review,
]
_ORDER = {Level.ERROR: 0, Level.WARNING: 1, Level.INFO: 2}


@system_checks.register()
def block_setting_names(app_configs=None, **kwargs) -> list[system_checks.CheckMessage]:
    """A misspelt name in PUBLISHING_CHECKS_BLOCK would silently stop blocking: refuse it."""
    unknown = sorted(blocking_checks() - set(Check.values) - {"none"})
    if not unknown:
        return []
    return [
        system_checks.Error(
            f"PUBLISHING_CHECKS_BLOCK names no such check: {', '.join(unknown)}.",
            hint="Known checks: " + ", ".join(Check.values) + " (or none).",
            id="articles.E001",
        )
    ]


def blocking_checks() -> set[str]:
    return set(getattr(settings, "PUBLISHING_CHECKS_BLOCK", [Check.ALT_TEXT]))


def findings_for(draft: ArticleDraft) -> list[Finding]:
    """Every check's findings on `draft`: errors first. An error whose check does not block
    publishing (settings.PUBLISHING_CHECKS_BLOCK) is shown as a warning."""
    blocking = blocking_checks()
    found = [
        finding
        if finding.level != Level.ERROR or finding.check in blocking
        else replace(finding, level=Level.WARNING)
        for check in CHECKS
        for finding in check(draft)
    ]
    return sorted(found, key=lambda finding: _ORDER[Level(finding.level)])


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.blocks]


# ---------------------------------------------------------------------------
# Saved articles


def published_slugs_among(slugs: set[str]) -> frozenset[str]:
    """Which of `slugs` answer as a published article, directly or by a former address."""
    if not slugs:
        return frozenset()
    live = set(Article.objects.published().filter(slug__in=slugs).values_list("slug", flat=True))
    moved = SlugRedirect.objects.filter(
        old_slug__in=slugs - live, article__in=Article.objects.published()
    ).values_list("old_slug", flat=True)
    return frozenset(live | set(moved))


def with_published_slugs(draft: ArticleDraft) -> ArticleDraft:
    return replace(draft, published_slugs=published_slugs_among(internal_slugs(draft)))


def article_draft(*, article: Article, sections: Sequence[SectionDraft]) -> ArticleDraft:
    """The article's fields (saved, or as the form set them) with `sections`, and which of
    the articles its sections link to are published (one or two queries, when it links)."""
    return with_published_slugs(
        ArticleDraft(
            title=article.title,
            standfirst=article.standfirst,
            slug=article.slug,
            has_cover=bool(article.cover),
            cover_alt=article.cover_alt,
            has_primary_tag=article.primary_tag_id is not None,
            sections=sections,
            source_keys=frozenset(article.sources.values_list("key", flat=True))
            if article.pk
            else frozenset(),
            health_content=article.health_content,
            review_current=article.review_covers_text,
        )
    )


def draft_of(article: Article) -> ArticleDraft:
    """A saved article as the checks read it, its sections in order."""
    sections = [
        SectionDraft(heading=s.heading, level=s.level, body=s.body, index=index)
        for index, s in enumerate(article.sections.order_by("position"))
    ]
    return article_draft(article=article, sections=sections)


def article_findings(*, article: Article) -> list[Finding]:
    return findings_for(draft_of(article))


class PublishingBlocked(Exception):
    """An article was to be published with errors that settings.PUBLISHING_CHECKS_BLOCK
    names: nothing was published."""

    def __init__(self, article: Article, findings: list[Finding]):
        self.article = article
        self.findings = findings
        super().__init__(f"“{article}” cannot be published yet: " + summary(findings))


def summary(findings: list[Finding]) -> str:
    return " ".join(finding.message for finding in findings)


def article_check_before_publishing(*, article: Article) -> None:
    """Raise PublishingBlocked when the saved article has errors that block publishing."""
    if errors := blocking(article_findings(article=article)):
        raise PublishingBlocked(article, errors)
