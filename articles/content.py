"""Turning editor and import text into safe HTML, and Markdown bodies into sections.

Section bodies are stored as HTML that has passed through one allow-list, here, so
nothing that reaches a reader can run script, however it was written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import unescape

import markdown
import nh3
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import slugify

# Paragraphs, emphasis, links, lists, quotes: nothing else survives.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "a", "ul", "ol", "li", "blockquote", "code"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start", "type"}}
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
    return re.sub(r"\s+", " ", strip_tags(html)).strip()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / settings.READING_WORDS_PER_MINUTE))


def unique_anchor(heading: str, taken: set[str]) -> str:
    """slugify(heading), suffixed -2, -3 ... until it is not in `taken` (which it joins)."""
    base = slugify(heading)[:90] or "section"
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
}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


@dataclass(frozen=True)
class ImportDocument:
    meta: dict
    sections: list[ParsedSection]
    key_lines: dict[str, int] = field(default_factory=dict)  # front matter key -> its line

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


def _key_line(front_lines: list[str], key: str) -> int:
    for index, line in enumerate(front_lines, start=2):
        if line.split(":", 1)[0].strip() == key:
            return index
    return 1


def _as_datetime(value, line: int, key: str = "published_at"):
    from datetime import date, datetime, time

    from django.utils import timezone
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
        meta = yaml.safe_load("\n".join(front_lines)) or {}
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

    sections = split_sections("\n".join(lines[end + 1 :]), first_line=end + 2)
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
        },
        sections=sections,
        key_lines={key: line_of(key) for key in meta},
    )
