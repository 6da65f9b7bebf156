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

from articles.renditions import cover_picture, share_crops, share_image

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


LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+(?=\w)", re.IGNORECASE)


def title_initial(title: str) -> str:
    """The first letter or digit of a title's first word that is not "the", "a" or "an":
    "The Quiet Strength of Support Groups" -> "Q", as an index or a monogram would."""
    for character in LEADING_ARTICLE.sub("", title.strip()):
        if character.isalnum():
            return character.upper()
    return ""


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
    """The address that stands for an author in structured data.

    There are no author pages yet: until /authors/<slug>/ exists, the site's home page (the
    list of everything its authors wrote). Make this return the author's page then.
    """
    return reverse("articles:list")


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
    """A medical reviewer as a schema.org Person, with their credentials; their author page
    as `url` once profiles have one."""
    person: dict = {"@type": "Person", "name": profile.name}
    if profile.credentials:
        person["hasCredential"] = {
            "@type": "EducationalOccupationalCredential",
            "name": profile.credentials,
        }
    if get_url := getattr(profile, "get_absolute_url", None):
        person["url"] = absolute(context, get_url())
    return person


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, tags, primary_tag=None) -> SafeString:
    """schema.org Article and BreadcrumbList (Home › primary tag › article) for the page."""
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
    if author is not None:
        data["author"] = {
            "@type": "Person",
            "name": author.get_full_name() or author.get_username(),
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
