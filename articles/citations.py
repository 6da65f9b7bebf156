"""Citation markers in section bodies, rendered as footnote links to the article's
"Sources" list, and that list with a link back to every citation.

A source's number is its place in the Sources list (its position, as editors order it), so
"[2]" in the text is the second source whatever order the text cites them in; uncited
sources are listed too (further reading). A marker naming no source of the article shows
nothing (the checks before publishing refuse it: articles.publishing_checks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Section, Source
from .references import CITATION, cited_keys

#: The id of the Sources list's heading, which every footnote link is described by.
SOURCES_TITLE_ID = "sources_title"


def source_anchor(number: int) -> str:
    return f"source-{number}"


def citation_anchor(number: int, nth: int) -> str:
    return f"cite-{number}-{nth}"


@dataclass(frozen=True)
class BackLink:
    anchor: str  # the citation's id in the text
    label: str  # its accessible name: "Back to citation 1 in “Twitching”"
    nth: int


@dataclass
class CitedSource:
    number: int
    source: Source
    back_links: list[BackLink] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return source_anchor(self.number)


@dataclass
class CitedText:
    """Section bodies (by section id) with their markers turned into footnote links, and
    the numbered sources they point to."""

    bodies: dict[int, SafeString]
    sources: list[CitedSource]

    def body_of(self, section: Section) -> SafeString:
        return self.bodies.get(section.pk, mark_safe(section.body))


def footnote_link(number: int, nth: int) -> SafeString:
    return format_html(
        '<sup class="citation"><a href="#{}" id="{}" aria-describedby="{}">'
        '<span class="visually-hidden">Source </span>{}</a></sup>',
        source_anchor(number),
        citation_anchor(number, nth),
        SOURCES_TITLE_ID,
        number,
    )


def text_cite(*, sections: Iterable[Section], sources: Sequence[Source]) -> CitedText:
    """Number the sources and link every citation in `sections` (in reading order) to
    its source and back."""
    cited = [CitedSource(number, source) for number, source in enumerate(sources, start=1)]
    by_key = {entry.source.key: entry for entry in cited}
    bodies: dict[int, SafeString] = {}
    for section in sections:

        def link(match, heading: str = section.heading) -> str:
            entry = by_key.get(match.group(1))
            if entry is None:
                return ""
            nth = len(entry.back_links) + 1
            entry.back_links.append(
                BackLink(
                    anchor=citation_anchor(entry.number, nth),
                    label=f"Back to citation {nth} in “{heading}”",
                    nth=nth,
                )
            )
            return footnote_link(entry.number, nth)

        # Section bodies are sanitised on save (Section.save): safe to mark as such.
        bodies[section.pk] = mark_safe(CITATION.sub(link, section.body))
    return CitedText(bodies=bodies, sources=cited)


def headings_citing(key: str, sections: Iterable[tuple[str, str]]) -> list[str]:
    """The headings of the (heading, sanitised body) pairs whose body cites source `key`."""
    return [heading for heading, body in sections if key in cited_keys(body)]


def cited_in_message(source: Source, headings: Sequence[str]) -> str:
    """Why a cited source cannot go (or change its key): where it is cited."""
    where = ", ".join(f"“{heading}”" for heading in headings)
    return (
        f"The source “{source.title}” is cited in {where}: remove its citations there "
        "first (or cite another source), then save."
    )
