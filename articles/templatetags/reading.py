"""Template helpers for the readers' pages: pictures, links, structured data."""

from __future__ import annotations

import json
import re

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from articles.references import CITATION
from articles.renditions import (
    cover_picture,
    photo_picture,
    photo_square_url,
    share_crops,
    share_image,
)

register = template.Library()


@register.inclusion_tag("includes/_picture.html")
def cover(
    article,
    sizes: str = "100vw",
    eager: bool = False,
    css_class: str = "",
    figure: bool = False,
    decorative: bool = False,
    placeholder: bool = False,
) -> dict:
    """<picture> with WebP and JPEG/PNG srcsets and explicit size; lazy unless `eager`.

    Nothing at all when the image file is missing. `figure` wraps it with the caption;
    `decorative` gives it empty alt text (a card whose title already says it all);
    `placeholder` puts a typographic tile (the title's initial) where a missing picture
    would be, keeping lists aligned.
    """
    return {
        "initial": title_initial(article.title) if placeholder else "",
        "picture": cover_picture(article),
        "alt": "" if decorative else article.cover_alt,
        "caption": article.cover_caption,
        "sizes": sizes,
        "eager": eager,
        "css_class": css_class,
        "figure": figure,
        "placeholder": placeholder,
    }


@register.inclusion_tag("includes/_picture.html")
def photo(
    profile,
    sizes: str = "9rem",
    eager: bool = False,
    css_class: str = "",
    placeholder: bool = False,
) -> dict:
    """An author's portrait as <picture>, like `cover`; nothing without a usable photo, or
    with `placeholder` a tile with the name's initial, keeping a list of people aligned."""
    return {
        "initial": name_initial(profile.name) if placeholder else "",
        "picture": photo_picture(profile),
        "alt": profile.photo_alt,
        "sizes": sizes,
        "eager": eager,
        "css_class": css_class,
        "placeholder": placeholder,
    }


@register.filter
def without_citations(body: str) -> SafeString:
    """A sanitised section body with its citation markers left out (feeds: the sources
    list and its links live on the article's page)."""
    return mark_safe(CITATION.sub("", body))  # sanitised on save (Section.save)


@register.simple_tag
def cited_body(cited, section) -> SafeString:
    """A section's body with its citation markers as footnote links (articles.citations)."""
    return cited.body_of(section)


LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+(?=\w)", re.IGNORECASE)
LEADING_HONORIFIC = re.compile(r"^(?:dr|prof|mr|mrs|ms|mx)\.?\s+(?=\w)", re.IGNORECASE)


def _first_alnum(text: str) -> str:
    return next((character.upper() for character in text if character.isalnum()), "")


def title_initial(title: str) -> str:
    """The first letter or digit of a title's first word that is not "the", "a" or "an":
    "The Quiet Strength of Support Groups" -> "Q", as an index or a monogram would."""
    return _first_alnum(LEADING_ARTICLE.sub("", title.strip()))


def name_initial(name: str) -> str:
    """A person's initial, past a title: "Dr Amira Haddad" -> "A"."""
    return _first_alnum(LEADING_HONORIFIC.sub("", name.strip()))


@register.simple_tag(takes_context=True)
def page_url(context, number: int, keep: str = "") -> str:
    """A link to page `number` of this list, keeping only the query parameters in `keep`
    (comma-separated; e.g. "q" for search). Page 1 has no ?page=."""
    request = context.get("request")
    names = [name for name in keep.split(",") if name] if keep else []
    encoded = urlencode([(k, request.GET[k]) for k in names if request and request.GET.get(k)])
    page = f"page={number}" if number and int(number) > 1 else ""
    query = "&".join(part for part in (encoded, page) if part)
    return f"?{query}" if query else (request.path if request else "")


@register.simple_tag(takes_context=True)
def canonical_url(context, path: str | None = None) -> str:
    """Absolute address of this page (or `path`), keeping only the page number."""
    request = context.get("request")
    if request is None:
        return ""
    if path is None:
        # One leading slash: a path such as "//[]" would otherwise be read as a host.
        path = "/" + escape_uri_path(request.path).lstrip("/")
        page = request.GET.get("page")
        if page and page != "1" and page.isdigit():
            path = f"{path}?page={page}"
    return request.build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def absolute(context, url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


@register.simple_tag(takes_context=True)
def share_image_meta(context, article) -> dict | None:
    """{url, width, height} of the image social networks show for this article."""
    found = share_image(article)
    if found is None:
        return None
    url, width, height = found
    return {"url": absolute(context, url), "width": width, "height": height}


def _json_ld(data: dict) -> SafeString:
    # Escaped like json_script, so text can never close the <script> element.
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


#: The raster publisher logo (scripts/make_icons.py draws it from the SVG favicon).
LOGO = ("logo.png", 512, 512)


def author_url(author) -> str:
    """The address that stands for a login user without an author profile in structured
    data: the site's home page (the list of everything its authors wrote)."""
    return reverse("articles:list")


def person_json_ld(context, profile) -> dict:
    """schema.org Person for an author profile: name, page, credentials, links, photo."""
    person = reviewer_json_ld(context, profile)
    if profile.job_title:
        person["jobTitle"] = profile.job_title
    same_as = getattr(profile, "same_as", None)
    if same_as is None:  # not annotated (the author page): the prefetched links
        same_as = [link.url for link in profile.links.all()]
    if same_as:
        person["sameAs"] = list(same_as)
    if image := photo_square_url(profile):
        person["image"] = absolute(context, image)
    return person


def page_json_ld(context, article, url: str) -> dict:
    """The page the article is the main entity of. For health content a MedicalWebPage
    (schema.org: reviewedBy and lastReviewed are properties of the web page), naming its
    medical reviewer only while the review covers the text as it is now."""
    if not article.health_content:
        return {"@type": "WebPage", "@id": url}
    page: dict = {"@type": "MedicalWebPage", "@id": url}
    if article.review_covers_text:
        page["reviewedBy"] = reviewer_json_ld(context, article.reviewer)
        page["lastReviewed"] = article.reviewed_at.isoformat()
    return page


def reviewer_json_ld(context, profile) -> dict:
    """A medical reviewer as a schema.org Person: name, author page, credentials (what
    every Person here carries; person_json_ld adds an author's links and photo, which the
    review line does not read)."""
    person: dict = {
        "@type": "Person",
        "name": profile.name,
        "url": absolute(context, profile.get_absolute_url()),
    }
    if profile.credentials:
        person["hasCredential"] = {
            "@type": "EducationalOccupationalCredential",
            "name": profile.credentials,
        }
    return person


@register.simple_tag(takes_context=True)
def author_json_ld(context, profile) -> SafeString:
    """schema.org ProfilePage about the author (a Person) for the author page."""
    url = absolute(context, profile.get_absolute_url())
    person = person_json_ld(context, profile)
    if profile.bio:
        person["description"] = profile.bio
    data = {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": url,
        "mainEntity": person,
    }
    if profile.updated_at:
        data["dateModified"] = profile.updated_at.isoformat()
    return _json_ld(data)


def _names(authors: str) -> list[str]:
    # "Wang Y, Smith JA, et al." as PubMed writes them, or names separated by semicolons.
    parts = authors.split(";") if ";" in authors else authors.split(",")
    return [name for name in (part.strip() for part in parts) if name and name != "et al."]


def source_json_ld(source) -> dict:
    """A cited source as a schema.org CreativeWork: its canonical link as `url`, the other
    ways to reach it (PubMed, the publisher's page) as `sameAs`."""
    links = source.reference.links
    data: dict = {"@type": "CreativeWork", "name": source.title, "url": links[0]}
    if names := _names(source.authors):
        data["author"] = [{"@type": "Person", "name": name} for name in names]
    if source.container:
        data["isPartOf"] = {"@type": "CreativeWork", "name": source.container}
    if source.year:
        data["datePublished"] = str(source.year)
    if len(links) > 1:
        data["sameAs"] = links[1:]
    return data


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, tags, primary_tag=None, byline=(), sources=()) -> SafeString:
    """schema.org Article (with its sources as `citation`) and BreadcrumbList (Home ›
    primary tag › article) for the page.

    `byline`: the article's author profiles in order (selectors.article_byline), each a
    Person; without any, the login user who wrote it, or else the site.
    """
    url = absolute(context, article.get_absolute_url())
    home = absolute(context, reverse("articles:list"))
    author = article.author
    logo, logo_width, logo_height = LOGO
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title[:110],
        "description": article.standfirst,
        "mainEntityOfPage": page_json_ld(context, article, url),
        "url": url,
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": home,
            "logo": {
                "@type": "ImageObject",
                "url": absolute(context, static(logo)),
                "width": logo_width,
                "height": logo_height,
            },
        },
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    if article.modified_at:
        data["dateModified"] = article.modified_at.isoformat()
    if byline:
        data["author"] = [person_json_ld(context, profile) for profile in byline]
    elif author is not None and author.get_full_name():
        # Never the login name: it is half of what an attacker needs to sign in.
        data["author"] = {
            "@type": "Person",
            "name": author.get_full_name(),
            "url": absolute(context, author_url(author)),
        }
    else:
        data["author"] = {"@type": "Organization", "name": settings.SITE_NAME, "url": home}
    if crops := share_crops(article):
        data["image"] = [
            {"@type": "ImageObject", "url": absolute(context, u), "width": w, "height": h}
            for u, w, h in crops
        ]
    elif image := share_image(article):
        data["image"] = [absolute(context, image[0])]
    tags = list(tags)
    if tags:
        data["keywords"] = [tag.name for tag in tags]
    if citations := [source_json_ld(source) for source in sources]:
        data["citation"] = citations
    trail = [(settings.SITE_NAME, home)]
    if primary_tag:
        trail.append(
            (primary_tag.name, absolute(context, reverse("articles:tag", args=[primary_tag.slug])))
        )
    trail.append((article.title, url))
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": item}
            for n, (name, item) in enumerate(trail, start=1)
        ],
    }
    return _json_ld(data) + _json_ld(crumbs)
