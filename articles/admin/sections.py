"""Sections in the article form: the rich-text body, positions renumbered on save."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from ..content import markdown_heading_in, sanitize_html
from ..models import Section
from .deferred import for_publishing
from .positions import PositionedForm, RenumberingFormSet

# What the section editor offers; Section.save() sanitises with the same allow-list.
SECTION_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Code": True,
    "HardBreak": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "NumberedListShortcut": True,  # "1. " starts a numbered list (settings.py)
    # Tiptap's Link extends over text typed at its end while `autolink` is on (its mark is
    # then "inclusive"): off, a link ends where the editor made it end.
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"], "autolink": False},
    "Citation": True,  # the "Cite" button (prose-citations.js, settings.py)
    "NoSpellCheck": False,  # editors write prose: let the browser check their spelling
}
BODY_HELP_TEXT = (
    "Paragraphs, emphasis, links, lists and quotes; “Cite” adds a numbered citation of one "
    "of the Sources below. Shortcuts: “1. ” numbered list, “- ” "
    "bullets, **bold**, *italic*. Headings start sections: for a new heading use “Add another "
    "Section” below, not “## ”."
)
_EMPTY_HTML = re.compile(r"^\s*(<p>\s*(<br\s*/?>)?\s*</p>\s*)*$")


def _normal_body(html: str | None) -> str:
    # Browsers send a textarea's line breaks as CRLF, and the editor writes "<p></p>" into an
    # untouched empty body: neither is a change the editor made.
    html = (html or "").replace("\r\n", "\n")
    return "" if _EMPTY_HTML.match(html) else html


class SectionBodyField(ProseEditorFormField):
    def to_python(self, value):
        return _normal_body(super().to_python(value))

    def has_changed(self, initial, data) -> bool:
        return _normal_body(initial) != _normal_body(data)


class SectionInlineForm(PositionedForm):
    position = forms.IntegerField(
        label="Position",
        required=False,
        min_value=1,
        # How positions work is said once above the sections (section_inline.html).
        widget=forms.NumberInput(
            attrs={"class": "vIntegerField position-input", "aria-describedby": "sections-help"}
        ),
    )
    body = SectionBodyField(
        label="Body",
        required=False,
        extensions=SECTION_EDITOR_EXTENSIONS,
        widget=AdminProseEditorWidget,
        sanitize=False,  # Section.save() sanitises, whoever writes the section
        help_text=BODY_HELP_TEXT,
    )

    class Meta:
        model = Section
        fields = ["position", "heading", "level", "body", "anchor"]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not for_publishing(getattr(self, "parent", None)):
            return body  # a draft may keep it for now (deferred validation)
        if heading := markdown_heading_in(sanitize_html(body)):
            level = "Heading (H2)" if heading.level == 2 else "Subheading (H3)"
            raise ValidationError(
                "“%(markup)s” is a heading typed as text; it would be published as it "
                "stands. Headings start sections: click “Add another Section”, type "
                "“%(text)s” as its Heading (level: %(level)s), and move the text that "
                "follows into its body.",
                code="heading_in_body",
                params={"markup": heading.markup, "text": heading.text, "level": level},
            )
        return body

    def clean_anchor(self) -> str | None:
        # None, not "": several new sections may all leave it empty (Section.save() fills it),
        # and the formset's duplicate check skips None only.
        return self.cleaned_data["anchor"] or None

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        # Positions are renumbered (the unique constraint is deferred, so two sections may
        # swap numbers). An empty anchor is made from the heading on save.
        if not self.cleaned_data.get("anchor"):
            exclusions.add("anchor")
        return exclusions


class SectionFormSet(RenumberingFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.parent = self.instance  # the article, with the status this save gives it
        return form

    def clean(self):
        super().clean()
        kept = self._kept_forms()
        if (
            kept
            and kept[0].cleaned_data.get("level") == Section.Level.H3
            and for_publishing(self.instance)
        ):
            raise ValidationError(
                "The first section must be a heading (H2): a subheading (H3) nests under "
                "the heading before it.",
                code="h3_first",
            )

    def _kept_forms(self) -> list[SectionInlineForm]:
        kept = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.is_valid():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk or form.has_changed():
                kept.append(form)
        return sorted(kept, key=lambda form: form.cleaned_data["position"])


class SectionInline(admin.StackedInline):
    model = Section
    # Each section folds under its heading, its position box beside it.
    template = "admin/articles/article/section_inline.html"
    form = SectionInlineForm
    formset = SectionFormSet
    ordering = ["position"]
    min_num = 0
    # The position box is drawn beside each section's folded heading by the template (it is
    # declared on the form, so the form keeps it though no fieldset lists it).
    fieldsets = [
        (None, {"fields": ["level", "heading", "body"]}),
        ("Link to this section", {"fields": ["anchor"], "classes": ["collapse"]}),
    ]

    def get_extra(self, request, obj=None, **kwargs) -> int:
        # One empty section to start a new article; "Add another section" adds more.
        return 1 if obj is None or not obj.sections.exists() else 0
