"""Sources an article cites: DOIs, PubMed ids and web addresses, normalised to the one
canonical link readers follow, with no network call; and the citation markers section
bodies carry (`<cite data-source="KEY">`), which name a source by its stable key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

DOI_LINK = "https://doi.org/{}"
PUBMED_LINK = "https://pubmed.ncbi.nlm.nih.gov/{}/"

# A DOI is "10.<registrant>/<suffix>"; the suffix may hold almost anything but spaces.
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_PMID = re.compile(r"[1-9]\d{0,9}")
_PMID_PREFIX = re.compile(r"^(?:pmid:?\s*|https?://pubmed\.ncbi\.nlm\.nih\.gov/)", re.IGNORECASE)
_PUBMED_URL = re.compile(r"^https?://pubmed\.ncbi\.nlm\.nih\.gov/", re.IGNORECASE)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)

#: A source's key: what citation markers name, unchanged when sources are reordered.
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")
KEY_MAX_LENGTH = 50

_http_url = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting http:// or https://."
)


def normal_doi(text: str) -> str:
    """'doi:10.1000/XYZ', 'https://doi.org/10.1000/xyz' or '10.1000/xyz' -> '10.1000/xyz'."""
    value = _DOI_PREFIX.sub("", text.strip()).strip()
    value = unquote(value) if _DOI_URL.match(text.strip()) else value
    if not _DOI.fullmatch(value):
        raise ValidationError(
            "“%(value)s” is not a DOI: a DOI looks like 10.1000/xyz123.",
            code="doi",
            params={"value": text[:80]},
        )
    return value


def normal_pmid(text: str) -> str:
    """'PMID: 12345', 'https://pubmed.ncbi.nlm.nih.gov/12345/' or '12345' -> '12345'."""
    value = _PMID_PREFIX.sub("", text.strip()).strip().rstrip("/")
    if not _PMID.fullmatch(value):
        raise ValidationError(
            "“%(value)s” is not a PubMed id: it is a number such as 31234567.",
            code="pmid",
            params={"value": text[:80]},
        )
    return value


def normal_url(text: str) -> str:
    value = text.strip()
    _http_url(value)
    return value


@dataclass(frozen=True)
class Reference:
    """Where a source is found: any of a web address, a DOI and a PubMed id."""

    url: str = ""
    doi: str = ""
    pmid: str = ""

    @property
    def link(self) -> str:
        """The one link readers follow: the DOI's, else PubMed's, else the web address."""
        return self.links[0] if self.links else ""

    @property
    def links(self) -> list[str]:
        found = []
        if self.doi:
            found.append(DOI_LINK.format(quote(self.doi, safe="/:;()._-")))
        if self.pmid:
            found.append(PUBMED_LINK.format(self.pmid))
        if self.url and self.url not in found:
            found.append(self.url)
        return found


def reference_normalise(*, url: str = "", doi: str = "", pmid: str = "") -> Reference:
    """Each identifier in its canonical form; a DOI or PMID given as the web address (or
    a doi.org or PubMed link) goes where it belongs. Raises ValidationError by field."""
    errors: dict[str, ValidationError] = {}
    url, doi, pmid = (url or "").strip(), (doi or "").strip(), (pmid or "").strip()
    if url and not doi and (_DOI_URL.match(url) or _DOI_PREFIX.match(url) or _DOI.fullmatch(url)):
        url, doi = "", url
    if url and not pmid and (_PUBMED_URL.match(url) or re.match(r"(?i)pmid:?\s*\d", url)):
        url, pmid = "", url
    if url and not pmid and _PMID.fullmatch(url):
        url, pmid = "", url
    values = {"url": url, "doi": doi, "pmid": pmid}
    for name, normal in (("url", normal_url), ("doi", normal_doi), ("pmid", normal_pmid)):
        if values[name]:
            try:
                values[name] = normal(values[name])
            except ValidationError as error:
                errors[name] = error
    if errors:
        raise ValidationError(errors)
    return Reference(**values)


def source_key(*, authors: str, year: int | None, title: str, taken: set[str]) -> str:
    """A key for a new source, as a writer would cite it: first author's surname and year
    ('wang-2019'), suffixed -b, -c… until it is not in `taken` (which it joins)."""
    first = re.split(r"[,;&]| and ", authors or "", maxsplit=1)[0].strip()
    surname = first.split()[0] if first else ""
    base = slugify(f"{surname} {year or ''}")[:40].strip("-") or slugify(title)[:40].strip("-")
    base = base or "source"
    key, letter = base, ord("b")
    while key in taken:
        key = f"{base}-{chr(letter)}" if letter <= ord("z") else f"{base}-{letter - ord('a')}"
        letter += 1
    taken.add(key)
    return key


# ---------------------------------------------------------------------------
# Citation markers in sanitised section bodies. The sanitiser (articles.content) keeps
# `<cite data-source="KEY">` with a key matching KEY_PATTERN only and serialises it in this
# one canonical way, so one pattern finds them all.

CITATION = re.compile(r'<cite data-source="([a-z0-9][a-z0-9-]{0,49})">(.*?)</cite>', re.DOTALL)


def citation_marker(key: str) -> str:
    """The stored form of a citation of source `key`, as the editor writes it."""
    return f'<cite data-source="{key}">{key}</cite>'


def cited_keys(html: str) -> list[str]:
    """The keys cited in `html`, in order, with repeats."""
    return [match.group(1) for match in CITATION.finditer(html or "")]
