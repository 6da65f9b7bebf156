"""The admin's article pages: their addresses, and POST data for the change form as the admin's
own page would send it."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from articles.models import Article

ADD_URL = "/admin/articles/article/add/"
CHANGELIST = "/admin/articles/article/"


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def preview_url(article) -> str:
    return reverse("admin:articles_article_preview", args=[article.pk])


def saved(response) -> Article:
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Article.objects.get()


def article_data(
    *, sections=(), existing=(), sources=(), existing_sources=(), bylines=(), **fields
) -> dict:
    """Fields of the article form plus the authors, sections and sources formsets.

    `existing` are Section objects already saved (their forms come first, as on the page);
    `sections` are dicts for new section forms. Either may carry "DELETE": "on". The same
    for sources: `existing_sources` (Source objects, or (Source, overrides) pairs) and
    `sources` (dicts for new source forms). `bylines` are dicts for the authors' rows
    ({"profile": pk, "position": "1"}; an "id" for a row already saved), each counted as
    already saved when it has an "id".
    """
    data = {
        "title": "Breathing through the day",
        "slug": "breathing-through-the-day",
        "standfirst": "Small breathing habits that carry you through a busy day.",
        "cover_alt": "",
        "cover_caption": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "author": "",
        "tags": [],
    }
    if moment := fields.pop("published_at", None):
        local = timezone.localtime(moment)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    data.update(fields)
    forms = [
        {
            "id": str(section.pk),
            "article": str(section.article_id),
            "position": str(section.position),
            "heading": section.heading,
            "level": str(section.level),
            "body": section.body,
            "anchor": section.anchor,
        }
        | overrides
        for section, overrides in (
            item if isinstance(item, tuple) else (item, {}) for item in existing
        )
    ]
    forms += [{"level": "2", "position": "", "anchor": ""} | section for section in sections]
    rows = sorted(bylines, key=lambda row: "id" not in row)  # saved rows first, as on the page
    return (
        data
        | formset_data(
            "bylines",
            [{key: str(value) for key, value in row.items()} for row in rows],
            initial=sum("id" in row for row in rows),
        )
        | formset_data("sections", forms, initial=len(existing))
        | sources_data(sources=sources, existing=existing_sources)
    )


def formset_data(prefix: str, forms: list[dict], *, initial: int) -> dict:
    """An inline formset's management form and its forms' fields, as the page posts them."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(forms)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, form in enumerate(forms):
        data |= {f"{prefix}-{index}-{key}": value for key, value in form.items()}
    return data


SOURCE_FIELDS = ["position", "key", "authors", "title", "container", "url", "doi", "pmid"]


def sources_data(*, sources=(), existing=()) -> dict:
    """The sources formset's fields: new `sources` (dicts) after `existing` (saved ones)."""
    forms = [
        {"id": str(source.pk), "article": str(source.article_id), "year": str(source.year or "")}
        | {name: str(getattr(source, name)) for name in SOURCE_FIELDS}
        | overrides
        for source, overrides in (
            item if isinstance(item, tuple) else (item, {}) for item in existing
        )
    ]
    forms += [{"position": "", "key": ""} | source for source in sources]
    return formset_data("sources", forms, initial=len(existing))
