"""Turning editor and import text into safe HTML, and Markdown bodies into sections.

Section bodies are stored as HTML that has passed through one allow-list, here, so
nothing that reaches a reader can run script, however it was written.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html import unescape

import markdown
import nh3
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import strip_tags
from django.utils.text import slugify

from .dates import publication_date_problem
from .medical_review import CREDENTIALS_MAX_LENGTH, review_date_problem
from .references import CITATION, KEY_PATTERN, citation_marker, reference_normalise

# Paragraphs, emphasis, links, lists, quotes and citation markers: nothing else survives.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "a", "ul", "ol", "li", "blockquote", "code", "cite"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start", "type"}, "cite": {"data-source"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Numbering other than 1, 2, 3 (the default, which needs no attribute).
ORDERED_LIST_TYPES = frozenset({"a", "A", "i", "I"})
# A block with nothing a reader could see (blank lines typed in the editor, an empty list
# item), and the empty emphasis or list left around it once it is gone.
_EMPTY_BLOCK = re.compile(
    r"<(p|li|ul|ol|blockquote|strong|b|em|i|code)(?:\s[^>]*)?>(?:\s|&nbsp;|<br>)*</\1>"
)

# A link within the site (an address that starts with one "/"), with the rel nh3 gave it.
_SITE_LINK_REL = re.compile(r'<a ((?=[^>]*\bhref="/(?!/))[^>]*?) rel="noopener noreferrer"')
HEADING_RE = re.compile(r"^(#{2,3})\s+(.+?)\s*#*\s*$")


def _meaningful_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: drop what an editor (or an old or hostile client) leaves
    behind that means nothing: `title=""`, `<ol type="null">`, `<ol start="1">`."""
    if attribute == "title" and not value.strip():
        return None
    if element == "ol" and attribute == "type" and value not in ORDERED_LIST_TYPES:
        return None
    if element == "ol" and attribute == "start" and not (value.isdigit() and int(value) > 1):
        return None
    if element == "cite" and not KEY_PATTERN.fullmatch(value):
        return None  # a citation names a source by its key (articles.references), or nothing
    return value


def sanitize_html(html: str) -> str:
    """Clean HTML down to the allow-list, without empty paragraphs or meaningless
    attributes; links to other sites get rel="noopener noreferrer". A link within the site
    (href="/…") keeps its Referer: it tells the statistics which article a reader came
    from ("read A, then B"), and never leaves the site."""
    clean = nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_meaningful_attribute,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
    )
    clean = _SITE_LINK_REL.sub(r"<a \1", clean)
    # nh3 serialises canonically (lower-case tags, <br>, &nbsp;), so this one pattern sees
    # every empty block however it was written; removing one may empty its parent.
    while True:
        emptier = _EMPTY_BLOCK.sub("", clean)
        if emptier == clean:
            return clean.strip()
        clean = emptier


@dataclass(frozen=True)
class TypedHeading:
    markup: str  # as typed: "## Sleep well"
    text: str
    level: int


# A paragraph that starts with Markdown heading marks, in sanitised HTML.
_TYPED_HEADING = re.compile(r"<p>(?:\s|&nbsp;)*(#{1,6})(?:\s|&nbsp;)+(.*?)</p>", re.DOTALL)


def markdown_heading_in(html: str) -> TypedHeading | None:
    """The first paragraph of `html` written as a Markdown heading ("## Sleep well"), if any.

    In the rich-text editor a heading is a new section, never a line of the body."""
    match = _TYPED_HEADING.search(html)
    if match is None:
        return None
    text = re.sub(r"\s+", " ", unescape(strip_tags(match.group(2)))).strip()
    if not text:
        return None
    level = 2 if len(match.group(1)) <= 2 else 3
    return TypedHeading(markup=f"{match.group(1)} {text}", text=text, level=level)


def markdown_to_html(text: str) -> str:
    return sanitize_html(markdown.markdown(text, extensions=["sane_lists"]))


def html_to_text(html: str) -> str:
    # A citation marker's text is its source's key: not words of the article.
    return re.sub(r"\s+", " ", strip_tags(CITATION.sub("", html))).strip()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / settings.READING_WORDS_PER_MINUTE))


# Ids the article page gives its own parts: footnotes and their back links
# (articles.citations: source-1, cite-1-2), the header's search box, Popular Posts, and
# the landmarks, all written with underscores (article_title, sources_title ...). A
# heading that slugifies to one of them ("Source 1") is prefixed instead, so no two
# elements share an id and a footnote link never jumps to a heading.
RESERVED_ANCHOR = re.compile(r"(source|cite)-\d+(-\d+)?|site-search-q|popular-heading|\w*_\w*")


def unique_anchor(heading: str, taken: set[str]) -> str:
    """slugify(heading), suffixed -2, -3 ... until it is not in `taken` (which it joins);
    "section-" before it when it is an id of the page's own parts."""
    base = slugify(heading)[:90] or "section"
    if RESERVED_ANCHOR.fullmatch(base):
        base = f"section-{base}"
    anchor, n = base, 2
    while anchor in taken:
        anchor = f"{base}-{n}"
        n += 1
    taken.add(anchor)
    return anchor


@dataclass(frozen=True)
class ParsedSection:
    heading: str
    level: int
    body_html: str
    line: int  # where the heading stands in the source, for error messages


class ContentError(ValueError):
    """A problem in source text, with the line it was found on (1-based)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line

    def __str__(self) -> str:
        message = super().__str__()
        return f"line {self.line}: {message}" if self.line else message


def split_sections(body: str, *, first_line: int = 1) -> list[ParsedSection]:
    """Split Markdown at `##`/`###` headings into sections of sanitised HTML.

    Text before the first heading has nowhere to go and is an error, as is an H3
    with no H2 before it (it would nest under nothing). Fenced code is not scanned
    for headings.
    """
    sections: list[ParsedSection] = []
    current: tuple[str, int, int] | None = None
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        if current is not None:
            heading, level, line = current
            sections.append(ParsedSection(heading, level, markdown_to_html("\n".join(lines)), line))

    for offset, raw in enumerate(body.splitlines()):
        lineno = first_line + offset
        if raw.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else HEADING_RE.match(raw)
        if match:
            flush()
            level = len(match.group(1))
            if level == 3 and not sections and current is None:
                raise ContentError("an ### heading must follow a ## heading", lineno)
            current, lines = (match.group(2).strip(), level, lineno), []
            if len(current[0]) > 200:
                raise ContentError("heading is longer than 200 characters", lineno)
        elif raw.lstrip().startswith("# ") and not in_fence:
            raise ContentError(
                "use ## or ### for section headings (the title is in the front matter)", lineno
            )
        elif current is None:
            if raw.strip():
                raise ContentError("text before the first ## heading", lineno)
        else:
            lines.append(raw)
    flush()
    if not sections:
        raise ContentError("the article has no ## sections", first_line)
    return sections


# ---------------------------------------------------------------------------
# Import documents: YAML front matter between --- lines, then Markdown sections.

FRONT_MATTER_KEYS = {
    "title",
    "slug",
    "standfirst",
    "tags",
    "primary_tag",
    "published_at",
    "updated_at",
    "status",
    "featured",
    "cover",
    "cover_alt",
    "cover_caption",
    "author",
    "authors",
    "sources",
    "health_content",
    "reviewed_by",
    "reviewed_at",
}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


#: What an entry of `authors:` may say about a person, with each value's limit (the
#: AuthorProfile fields'); a bare name or slug says only who.
AUTHOR_KEYS = {"name": 120, "slug": 120, "credentials": 200, "job_title": 120, "bio": 2000}
AUTHOR_LINK_KEYS = {"label": 60, "url": 500}


def _author_text(value, *, what: str, limit: int, line: int) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ContentError(f"{what} must be text", line)
    value = str(value).strip()
    if len(value) > limit:
        raise ContentError(f"{what} is longer than {limit} characters", line)
    return value


def _author_link(item, *, what: str, line: int) -> dict:
    from django.core.exceptions import ValidationError

    from .models import WEB_ADDRESS

    if not isinstance(item, dict) or set(item) - set(AUTHOR_LINK_KEYS) or "url" not in item:
        raise ContentError(f"{what} must be a label: and a url: (nothing else)", line)
    link = {
        key: _author_text(item.get(key, ""), what=f"{what} {key}", limit=limit, line=line)
        for key, limit in AUTHOR_LINK_KEYS.items()
    }
    try:
        WEB_ADDRESS(link["url"])
    except ValidationError:
        raise ContentError(
            f"{what} url {link['url'][:80]!r} is not an http:// or https:// web address", line
        ) from None
    link["label"] = link["label"] or link["url"].split("//", 1)[-1].split("/", 1)[0]
    return link


def parse_authors(value, *, line: int) -> list[dict]:
    """`authors:` as a list of people in byline order: each a name or slug, or a mapping
    (name, slug, credentials, job_title, bio, links: [{label, url}])."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise ContentError("authors must be a list of names or slugs", line)
    people: list[dict] = []
    for number, item in enumerate(value, start=1):
        what = f"author {number}"
        if not isinstance(item, dict):
            item = {"name": item}
        unknown = set(item) - {*AUTHOR_KEYS, "links"}
        if unknown:
            raise ContentError(f"{what}: unknown field {sorted(unknown)[0]!r}", line)
        person = {
            key: _author_text(item.get(key, ""), what=f"{what} {key}", limit=limit, line=line)
            for key, limit in AUTHOR_KEYS.items()
        }
        if not person["name"]:
            raise ContentError(f"{what} has no name", line)
        if person["slug"] and person["slug"] != slugify(person["slug"]):
            raise ContentError(f"{what} slug may hold only a-z, 0-9 and hyphens", line)
        links = item.get("links") or []
        if not isinstance(links, list):
            raise ContentError(f"{what} links must be a list", line)
        person["links"] = [
            _author_link(link, what=f"{what} link {n}", line=line)
            for n, link in enumerate(links, start=1)
        ]
        if any(p["name"].casefold() == person["name"].casefold() for p in people):
            raise ContentError(f"{what} ({person['name']}) is named twice", line)
        people.append(person)
    return people


@dataclass(frozen=True)
class ImportDocument:
    meta: dict
    sections: list[ParsedSection]
    key_lines: dict[str, int] = field(default_factory=dict)  # front matter key -> its line

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


@dataclass(frozen=True)
class ReviewerRef:
    """The medical reviewer an import file names: an existing author profile by its slug or
    name (`credentials` None), or a profile given in full, made when its slug is new."""

    name: str
    slug: str
    credentials: str | None = None


def _key_line(front_lines: list[str], key: str) -> int:
    for index, line in enumerate(front_lines, start=2):
        if line.split(":", 1)[0].strip() == key:
            return index
    return 1


def _as_datetime(value, line: int, key: str = "published_at"):
    from datetime import time

    from django.utils.dateparse import parse_datetime

    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(9, 0))
    elif isinstance(value, str) and (parsed := parse_datetime(value.strip())):
        moment = parsed
    else:
        raise ContentError(f"{key} is not a date and time (use 2024-05-01T09:00:00Z)", line)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


#: A source's fields in front matter, with their longest value; `journal` and `publisher`
#: both name the container.
SOURCE_KEYS = {
    "key": 50,
    "authors": 500,
    "title": 300,
    "journal": 200,
    "publisher": 200,
    "year": 4,
    "url": 500,
    "doi": 200,
    "pmid": 20,
}
#: A citation in a Markdown body: `[^key]`, as Markdown footnotes are written.
MARKDOWN_CITATION = re.compile(r"\[\^([^\]\s]{1,60})\]")


def _parse_sources(value, line: int) -> list[dict]:
    """The front matter's `sources:` list, checked and normalised, or ContentError."""
    from django.core.exceptions import ValidationError

    if value is None:
        return []
    if not isinstance(value, list):
        raise ContentError("sources must be a list of sources (each a - key: … entry)", line)
    sources, keys = [], set()
    for number, entry in enumerate(value, start=1):
        where = f"source {number}"
        if not isinstance(entry, dict):
            raise ContentError(f"{where} must be key: value lines (key, title, doi…)", line)
        if unknown := sorted(set(map(str, entry)) - set(SOURCE_KEYS)):
            raise ContentError(f"{where} has an unknown field {unknown[0]!r}", line)
        fields = {}
        for name, limit in SOURCE_KEYS.items():
            raw = entry.get(name)
            if raw is not None and not isinstance(raw, str | int | float):
                raise ContentError(f"{where}: {name} must be text", line)
            text = "" if raw is None else str(raw).strip()
            if len(text) > limit:
                raise ContentError(f"{where}: {name} is longer than {limit} characters", line)
            fields[name] = text
        key = fields["key"]
        if not KEY_PATTERN.fullmatch(key):
            raise ContentError(
                f"{where} needs a key of lower-case letters, digits and hyphens "
                "(such as wang-2019): the body cites it as [^wang-2019]",
                line,
            )
        if key in keys:
            raise ContentError(f"{where}: the key {key!r} is used twice", line)
        keys.add(key)
        if not fields["title"]:
            raise ContentError(f"{where} ({key}) has no title", line)
        if fields["year"] and not (
            fields["year"].isdigit() and 1500 <= int(fields["year"]) <= 2100
        ):
            raise ContentError(f"{where} ({key}): year must be a year such as 2019", line)
        try:
            reference = reference_normalise(
                url=fields["url"], doi=fields["doi"], pmid=fields["pmid"]
            )
        except ValidationError as error:
            problem = " ".join(
                message for messages in error.message_dict.values() for message in messages
            )
            raise ContentError(f"{where} ({key}): {problem}", line) from None
        if not reference.links:
            raise ContentError(f"{where} ({key}) needs a url, doi or pmid", line)
        sources.append(
            {
                "key": key,
                "authors": fields["authors"],
                "title": fields["title"],
                "container": fields["journal"] or fields["publisher"],
                "year": int(fields["year"]) if fields["year"] else None,
                "url": reference.url,
                "doi": reference.doi,
                "pmid": reference.pmid,
            }
        )
    return sources


def _with_citation_markers(lines: list[str], keys: set[str], first_line: int) -> list[str]:
    """Markdown body lines with each `[^key]` made a citation marker; an unknown key is a
    ContentError on its line. Fenced code is left as it is."""
    marked, in_fence = [], False
    for offset, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_fence:
            marked.append(line)
            continue
        for key in MARKDOWN_CITATION.findall(line):
            if key not in keys:
                raise ContentError(
                    f"[^{key}] cites no source: add a source with key: {key} under sources:",
                    first_line + offset,
                )
        marked.append(MARKDOWN_CITATION.sub(lambda m: citation_marker(m.group(1)), line))
    return marked


@functools.cache
def _front_matter_loader():
    import yaml

    class FrontMatterLoader(yaml.SafeLoader):
        """YAML's safe loader, with a date that is no date (30 February, month 13) refused
        on its line rather than a ValueError from inside the reader."""

        def construct_yaml_timestamp(self, node):
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as exc:
                raise ContentError(
                    f"{node.value} is not a real date ({exc}): check the day and the month",
                    node.start_mark.line + 2,  # the front matter starts on the file's line 2
                ) from None

    FrontMatterLoader.add_constructor(
        "tag:yaml.org,2002:timestamp", FrontMatterLoader.construct_yaml_timestamp
    )
    return FrontMatterLoader


def parse_import_document(text: str) -> ImportDocument:
    """Parse and validate a whole import file, or raise ContentError with its line."""
    import yaml

    if "\x00" in text:
        raise ContentError("the file contains a NUL byte", 1)
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError("the file must start with a --- front matter line", 1)
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ContentError("the front matter has no closing --- line", 1) from None
    front_lines = lines[1:end]
    try:
        meta = yaml.load("\n".join(front_lines), Loader=_front_matter_loader()) or {}
    except yaml.YAMLError as exc:
        # Where a construct began (an unclosed "[") is more useful than where it broke.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        raise ContentError(
            f"front matter is not valid YAML ({getattr(exc, 'problem', exc)})",
            mark.line + 2 if mark else 1,
        ) from None
    if not isinstance(meta, dict):
        raise ContentError("front matter must be key: value lines", 2)

    def line_of(key: str) -> int:
        return _key_line(front_lines, key)

    unknown = set(meta) - FRONT_MATTER_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ContentError(f"unknown front matter key {key!r}", line_of(key))

    def text_value(key: str, *, required: bool, limit: int) -> str:
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ContentError(f"{key} is required", line_of(key))
            return ""
        if not isinstance(value, str | int | float):
            raise ContentError(f"{key} must be text", line_of(key))
        value = str(value).strip()
        if len(value) > limit:
            raise ContentError(f"{key} is longer than {limit} characters", line_of(key))
        return value

    title = text_value("title", required=True, limit=200)
    slug = text_value("slug", required=False, limit=200) or slugify(title)
    if slug != slugify(slug) or not slug:
        raise ContentError(f"slug {slug!r} may hold only a-z, 0-9 and hyphens", line_of("slug"))

    status = text_value("status", required=False, limit=20) or "draft"
    if status not in {"draft", "published"}:
        raise ContentError("status must be draft or published", line_of("status"))
    # Published without a date publishes on import, as the admin does (articles.services).
    published_at = meta.get("published_at")
    if published_at is not None:
        published_at = _as_datetime(published_at, line_of("published_at"))
        if problem := publication_date_problem(published_at):
            raise ContentError(problem, line_of("published_at"))

    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in (part.strip() for part in tags.split(",")) if t]
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ContentError("tags must be a list of names", line_of("tags"))
    if any(len(t) > 100 for t in tags):
        raise ContentError("a tag name is longer than 100 characters", line_of("tags"))

    tags = [t.strip() for t in tags]
    primary_tag = text_value("primary_tag", required=False, limit=100)
    if primary_tag and primary_tag.casefold() not in {t.casefold() for t in tags}:
        raise ContentError("primary_tag must be one of the tags", line_of("primary_tag"))

    # The day an editor last changed the words, kept as the file says: an import is not
    # an update readers should be told about.
    updated_at = meta.get("updated_at")
    if updated_at is not None:
        updated_at = _as_datetime(updated_at, line_of("updated_at"), "updated_at")

    featured = meta.get("featured", False)
    if not isinstance(featured, bool):
        raise ContentError("featured must be true or false", line_of("featured"))

    cover = text_value("cover", required=False, limit=300) or None
    cover_alt = text_value("cover_alt", required=False, limit=250)
    if cover and not cover_alt:
        raise ContentError(
            f"cover {cover} has no cover_alt: add a cover_alt: line saying what the image "
            "shows, for readers who cannot see it",
            line_of("cover"),
        )
    if cover and (cover.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", cover)):
        raise ContentError(
            f"cover {cover} is outside the Markdown file's folder: give the image's path "
            "relative to the file, such as cover: covers/photo.jpg",
            line_of("cover"),
        )
    if cover and not any(cover.lower().endswith(s) for s in IMAGE_SUFFIXES):
        raise ContentError(
            f"cover {cover} is not a picture file name: the cover must be a JPEG, PNG, WebP "
            "or GIF image ending in .jpg, .jpeg, .png, .webp or .gif",
            line_of("cover"),
        )

    health_content = meta.get("health_content", False)
    if not isinstance(health_content, bool):
        raise ContentError("health_content must be true or false", line_of("health_content"))
    reviewed_by, reviewed_at = _medical_review(meta, line_of)

    sources = _parse_sources(meta.get("sources"), line_of("sources"))
    body = _with_citation_markers(lines[end + 1 :], {s["key"] for s in sources}, end + 2)
    sections = split_sections("\n".join(body), first_line=end + 2)
    return ImportDocument(
        meta={
            "title": title,
            "slug": slug,
            "standfirst": text_value("standfirst", required=True, limit=300),
            "tags": tags,
            # The first tag when none is named: the one the writer thought of first.
            "primary_tag": primary_tag or (tags[0] if tags else ""),
            "status": status,
            "published_at": published_at,
            "updated_at": updated_at,
            "featured": featured,
            "cover": cover,
            "cover_alt": cover_alt,
            "cover_caption": text_value("cover_caption", required=False, limit=250),
            "author": text_value("author", required=False, limit=150),
            "authors": parse_authors(meta.get("authors"), line=line_of("authors")),
            "sources": sources,
            "health_content": health_content,
            "reviewed_by": reviewed_by,
            "reviewed_at": reviewed_at,
        },
        sections=sections,
        key_lines={key: line_of(key) for key in meta},
    )


def _medical_review(meta: dict, line_of) -> tuple[ReviewerRef | None, date | None]:
    """reviewed_by and reviewed_at, both or neither: who checked the medical facts of the
    text in this file, and on which day (not in the future)."""
    given, day = meta.get("reviewed_by"), meta.get("reviewed_at")
    if given is None and day is None:
        return None, None
    if given is None or (isinstance(given, str) and not given.strip()):
        raise ContentError(
            "reviewed_at needs reviewed_by: the author profile of who reviewed the text",
            line_of("reviewed_at"),
        )
    if day is None:
        raise ContentError(
            "reviewed_by needs reviewed_at: the day the text was reviewed (2025-05-01)",
            line_of("reviewed_by"),
        )
    line = line_of("reviewed_by")
    if isinstance(given, str):
        name = given.strip()
        if len(name) > 120:
            raise ContentError("reviewed_by is longer than 120 characters", line)
        reviewer = ReviewerRef(name=name, slug=name)
    elif isinstance(given, dict) and set(given) <= {"name", "slug", "credentials"}:
        name, credentials = given.get("name"), given.get("credentials")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 120:
            raise ContentError("reviewed_by's name must be text of 1 to 120 characters", line)
        if not isinstance(credentials, str) or not credentials.strip():
            raise ContentError(
                "reviewed_by's credentials are missing: a medical reviewer needs them "
                "(such as 'MD, neurologist')",
                line,
            )
        if len(credentials.strip()) > CREDENTIALS_MAX_LENGTH:
            raise ContentError(
                f"reviewed_by's credentials are longer than {CREDENTIALS_MAX_LENGTH} characters",
                line,
            )
        slug = given.get("slug") or slugify(name)
        if not isinstance(slug, str) or slug != slugify(slug) or not slug or len(slug) > 120:
            raise ContentError("reviewed_by's slug may hold only a-z, 0-9 and hyphens", line)
        reviewer = ReviewerRef(name=name.strip(), slug=slug, credentials=credentials.strip())
    else:
        raise ContentError(
            "reviewed_by must be an author profile's slug or name, or name: and "
            "credentials: (and optionally slug:) of a new one",
            line,
        )
    if isinstance(day, datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    elif isinstance(day, str):
        parsed = parse_date(day.strip())
        if parsed is None:
            raise ContentError("reviewed_at is not a date (use 2025-05-01)", line_of("reviewed_at"))
        day = parsed
    if not isinstance(day, date):
        raise ContentError("reviewed_at is not a date (use 2025-05-01)", line_of("reviewed_at"))
    if problem := review_date_problem(day):
        raise ContentError(problem, line_of("reviewed_at"))
    return reviewer, day
