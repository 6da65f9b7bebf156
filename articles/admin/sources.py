"""An article's sources in its change form: numbered, ordered, never removed while cited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from ..citations import cited_in_message, headings_citing
from ..content import sanitize_html
from ..models import Source
from .positions import PositionedForm, RenumberingFormSet

#: The sections formset's prefix in the same change form (Article.sections).
SECTIONS_PREFIX = "sections"


class SourceInlineForm(PositionedForm):
    position = forms.IntegerField(
        label="Number",
        required=False,
        min_value=1,
        help_text="Its place in the Sources list. Type a new number to move it; empty: last.",
        widget=forms.NumberInput(attrs={"class": "vIntegerField position-input"}),
    )

    class Meta:
        model = Source
        fields = ["position", "authors", "title", "container", "year", "url", "doi", "pmid", "key"]
        # Not "Title": the article's own title field is the one by that name on this form.
        labels = {"title": "Work cited"}
        help_texts = {"title": "Its title: the paper, book or web page."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A table row has column headings, not labels: name each box for screen readers.
        which = f"source {self.instance.position}" if self.instance.pk else "the new source"
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", f"{field.label} of {which}")

    def clean_key(self) -> str | None:
        # None, not "": several new sources may leave it empty (Source.save() makes it), and
        # the formset's duplicate check skips None only.
        return self.cleaned_data["key"] or None

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        if not self.cleaned_data.get("key"):
            exclusions.add("key")
        return exclusions


class SourceFormSet(RenumberingFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            which = f"source {form.instance.position}" if form.instance.pk else "the new source"
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete {which}"

    def clean(self):
        super().clean()
        sections = self._sections_after_save()
        problems = []
        for form in self.forms:
            source = form.instance
            if source.pk is None or not hasattr(form, "cleaned_data"):
                continue
            deleted = self.can_delete and self._should_delete_form(form)
            if not deleted and "key" not in form.changed_data:
                continue
            old_key = form.initial.get("key") or source.key
            if headings := headings_citing(old_key, sections):
                problems.append(cited_in_message(source, headings))
        if problems:
            raise ValidationError(problems, code="source_cited")

    def _sections_after_save(self) -> list[tuple[str, str]]:
        """(heading, body) of the sections as this save leaves them: the ones posted with
        it, or the saved ones when the form posts no sections."""
        total = self.data.get(f"{SECTIONS_PREFIX}-TOTAL_FORMS")
        if total is None or not str(total).isdigit():
            return [(s.heading, s.body) for s in self.instance.sections.all()]
        posted = []
        for index in range(min(int(total), 1000)):
            field = f"{SECTIONS_PREFIX}-{index}-"
            if self.data.get(field + "DELETE"):
                continue
            body = sanitize_html(str(self.data.get(field + "body", "")))
            posted.append((str(self.data.get(field + "heading", "")), body))
        return posted


class SourceInline(admin.TabularInline):
    """One row a source, so a dozen references stay a short table under the sections."""

    model = Source
    form = SourceInlineForm
    formset = SourceFormSet
    ordering = ["position", "id"]
    extra = 0
    verbose_name = "source"
    fields = ["position", "authors", "title", "container", "year", "url", "doi", "pmid", "key"]
