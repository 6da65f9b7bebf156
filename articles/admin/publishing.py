"""Checks before publishing and editorial notes on the article change form.

- A "Before you publish" panel lists what articles.publishing_checks finds in the article,
  each finding linking to its field: as saved, and again as the editor types
  (publishing-checks.js posts the form to publishing_checks_view; nothing is saved).
- Publishing from the form (status "published") runs the checks again on what was typed:
  errors that settings.PUBLISHING_CHECKS_BLOCK names are form errors, and nothing is saved.
  The bulk action and services.article_publish refuse such an article too.
- "Editorial notes": the article's private notes, and a box to add one with the next save.
"""

from __future__ import annotations

import math
from dataclasses import replace

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html

from ..content import sanitize_html
from ..editorial_notes import NOTE_MAX_LENGTH, editorial_note_add, editorial_notes_for
from ..models import Article, Section
from ..publishing_checks import (
    ArticleDraft,
    Finding,
    Level,
    SectionDraft,
    article_draft,
    article_findings,
    blocking,
    findings_for,
)

NOT_PUBLISHED = "Not published: fix what is marked below, or save it as a draft."
MAX_SECTIONS = 1000  # as the sections formset allows


def _int(value, default: float) -> float:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def source_keys_from_post(data) -> frozenset[str] | None:
    """The citation keys of the sources as the change form stands (`data`), or None when it
    posts no sources. A new source left without a key gets one on save: none to cite yet."""
    total = data.get("sources-TOTAL_FORMS")
    if total is None:
        return None
    keys = set()
    for index in range(int(min(max(_int(total, 0), 0), MAX_SECTIONS))):
        prefix = f"sources-{index}-"
        if not data.get(prefix + "DELETE") and (key := data.get(prefix + "key", "").strip()):
            keys.add(key)
    return frozenset(keys)


def draft_from_post(article: Article, data) -> ArticleDraft:
    """The article as its change form stands (`data`, the form's fields, unsaved and maybe
    invalid): what the panel checks as an editor types. Missing fields keep saved values."""
    sections = []
    total = int(min(max(_int(data.get("sections-TOTAL_FORMS"), 0), 0), MAX_SECTIONS))
    for index in range(total):
        prefix = f"sections-{index}-"
        heading, body = data.get(prefix + "heading", ""), data.get(prefix + "body", "")
        if data.get(prefix + "DELETE") or not (data.get(prefix + "id") or heading or body):
            continue  # deleted, or an empty form never filled in
        level = _int(data.get(prefix + "level"), 2)
        position = _int(data.get(prefix + "position"), math.inf)
        section = SectionDraft(
            heading=heading, level=int(level), body=sanitize_html(body), index=index
        )
        sections.append((position, index, section))
    draft = article_draft(article=article, sections=[s for *_, s in sorted(sections)])
    has_cover = bool(article.cover) and not data.get("cover-clear")
    return replace(
        draft,
        title=data.get("title", article.title),
        standfirst=data.get("standfirst", article.standfirst),
        slug=data.get("slug", article.slug),
        has_cover=has_cover or data.get("cover_chosen") == "1",
        cover_alt=data.get("cover_alt", article.cover_alt),
        has_primary_tag=bool(data.get("primary_tag", article.primary_tag_id or "")),
        source_keys=posted
        if (posted := source_keys_from_post(data)) is not None
        else draft.source_keys,
        # A form posts a ticked box and leaves an unticked one out.
        health_content=(
            bool(data.get("health_content")) if "title" in data else draft.health_content
        ),
        review_current=_review_current_in(article, data, draft),
    )


def _review_current_in(article: Article, data, draft: ArticleDraft) -> bool:
    """Whether saving the form as it stands leaves a review covering the text: it records
    one (a reviewer with a new date, or "reviewed today"), or keeps the saved one."""
    if not data.get("reviewer"):
        return "reviewer" not in data and draft.review_current
    if data.get("mark_reviewed_today"):
        return True
    saved_day = article.reviewed_at.isoformat() if article.reviewed_at else ""
    if data.get("reviewed_at") and data.get("reviewed_at") != saved_day:
        return True
    return draft.review_current


def _error(finding: Finding) -> ValidationError:
    return ValidationError(finding.message, code=f"publishing_check_{finding.check}")


class PublishingChecksForm(forms.ModelForm):
    """The article form with a box for a new editorial note, and the checks on publishing:
    the article's own fields here; its sections in PublishingChecksFormSet."""

    new_editorial_note = forms.CharField(
        label="Add a note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text="For editors only, saved with the article: readers never see it.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") != Article.Status.PUBLISHED:
            return cleaned
        draft = ArticleDraft(
            title=cleaned.get("title") or "",
            standfirst=cleaned.get("standfirst") or "",
            slug=cleaned.get("slug") or "",
            # False: cleared; None: no file; a file (new or kept) otherwise.
            has_cover=bool(cleaned.get("cover", self.instance.cover)),
            cover_alt=cleaned.get("cover_alt") or "",
            has_primary_tag=cleaned.get("primary_tag") is not None,
        )
        errors = blocking(findings_for(draft))
        for finding in errors:
            name = finding.field.removeprefix("id_")
            self.add_error(name if name in self.fields else None, _error(finding))
        if errors:
            self.add_error(None, ValidationError(NOT_PUBLISHED, code="not_published"))
        return cleaned


class PublishingChecksFormSet(forms.BaseInlineFormSet):
    """Mixed into the sections formset: on publishing, the checks on the sections as typed
    (in their new order), each error shown on its section."""

    def clean(self):
        super().clean()
        if self.instance.status != Article.Status.PUBLISHED:
            return
        kept = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.errors:
                return  # its own errors first
            if self.can_delete and form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk or form.has_changed():
                kept[int(form.prefix.rsplit("-", 1)[1])] = form
        order = sorted(kept, key=lambda index: kept[index].cleaned_data.get("position") or 0)
        draft = article_draft(
            article=self.instance,
            sections=[
                SectionDraft(
                    heading=kept[index].cleaned_data.get("heading") or "",
                    level=int(kept[index].cleaned_data.get("level") or 2),
                    body=sanitize_html(kept[index].cleaned_data.get("body") or ""),
                    index=index,
                )
                for index in order
            ],
        )
        if (posted := source_keys_from_post(self.data)) is not None:
            draft = replace(draft, source_keys=posted)  # as this save leaves them
        errors = [
            finding
            for finding in blocking(findings_for(draft))
            if finding.field.startswith(("sections-", "id_sections-"))
        ]
        for finding in errors:
            index, _, field = finding.field.removeprefix("id_sections-").partition("-")
            if finding.field.startswith("sections-"):
                index, field = finding.field.removeprefix("sections-"), "body"
            form = kept.get(int(index)) if index.isdigit() else None
            if form is not None and field in form.fields:
                form.add_error(field, _error(finding))
        if errors:
            raise ValidationError(NOT_PUBLISHED, code="not_published")


class PublishingChecksMixin:
    """For ArticleAdmin: the checks panel, the checks on publishing, editorial notes."""

    CHECKS_FIELDS = ["publishing_checks", "editorial_notes"]

    @property
    def media(self):
        return super().media + forms.Media(
            css={"all": ["articles/admin/publishing-checks.css"]},
            js=["articles/admin/publishing-checks.js"],
        )

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.CHECKS_FIELDS]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        after = next(
            (i + 1 for i, (name, _) in enumerate(fieldsets) if name == "Publishing"),
            len(fieldsets),
        )
        notes = ["editorial_notes"]
        if self.has_change_permission(request, obj):
            notes.append("new_editorial_note")
        fieldsets[after:after] = [
            (
                "Before you publish",
                {
                    "fields": ["publishing_checks"],
                    "classes": ["publishing-checks-module"],
                    "description": "Checked each time the article is saved. What must be "
                    "fixed stops it being published; the rest is advice.",
                },
            ),
            ("Editorial notes", {"fields": notes, "classes": ["editorial-notes-module"]}),
        ]
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = kwargs.get("form", self.form)
        if not issubclass(form, PublishingChecksForm):
            kwargs["form"] = type(form.__name__, (PublishingChecksForm, form), {})
        return super().get_form(request, obj, change, **kwargs)

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if inline.model is Section and not issubclass(formset, PublishingChecksFormSet):
                formset = type(formset.__name__, (PublishingChecksFormSet, formset), {})
            yield formset, inline

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        note = editorial_note_add(
            article=form.instance,
            author=request.user,
            text=form.cleaned_data.get("new_editorial_note") or "",
        )
        if note is not None:
            messages.info(request, "Your note was added: only editors see it.")

    # -- the panels ------------------------------------------------------------

    @admin.display(description="Checks")
    def publishing_checks(self, obj: Article) -> str:
        return self._checks_panel(obj, article_findings(article=obj))

    def _checks_panel(self, obj: Article, findings: list[Finding]) -> str:
        return render_to_string(
            "admin/articles/article/_publishing_checks.html",
            {
                "findings": findings,
                "errors": sum(f.level == Level.ERROR for f in findings),
                "warnings": sum(f.level == Level.WARNING for f in findings),
                "checks_url": reverse(
                    f"{self.admin_site.name}:articles_article_checks", args=[obj.pk]
                ),
            },
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/checks/",
                self.admin_site.admin_view(self.publishing_checks_view),
                name="articles_article_checks",
            ),
            *super().get_urls(),
        ]

    def publishing_checks_view(self, request, pk: int):
        """The panel for the form as it stands (POSTed by publishing-checks.js as an editor
        types), nothing saved: {"html": the panel, "errors": n, "warnings": n}."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = Article.objects.filter(pk=pk).first()
        if article is None or not self.has_change_permission(request, article):
            raise Http404
        findings = findings_for(draft_from_post(article, request.POST))
        return JsonResponse(
            {
                "html": self._checks_panel(article, findings),
                "errors": sum(f.level == Level.ERROR for f in findings),
                "warnings": sum(f.level == Level.WARNING for f in findings),
            }
        )

    @admin.display(description="Notes")
    def editorial_notes(self, obj: Article) -> str:
        notes = list(editorial_notes_for(article=obj))
        if not notes:
            return format_html("<p>{}</p>", "No notes yet.")
        return render_to_string("admin/articles/article/_editorial_notes.html", {"notes": notes})

    # -- publishing in bulk ------------------------------------------------------

    def publishable(self, request, articles) -> list[Article]:
        """The articles nothing blocks from publishing; the editor is told about the others."""
        ready = []
        for article in articles:
            if errors := blocking(article_findings(article=article)):
                self.message_user(
                    request,
                    f"“{article}” was not published: " + " ".join(f.message for f in errors),
                    messages.ERROR,
                )
            else:
                ready.append(article)
        return ready
