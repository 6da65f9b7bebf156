"""Inline rows with a typed position (sections, sources): renumbered 1, 2, 3… on save."""

from __future__ import annotations

import math

from django import forms


class PositionedForm(forms.ModelForm):
    """An inline form whose `position` the formset renumbers (RenumberingFormSet)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.renumbered = False
        if self.instance.pk is not None:
            # An inline whose fieldsets leave the position out (its template draws it) gets
            # no initial value for it from the admin's form factory.
            self.initial.setdefault("position", self.instance.position)

    def has_changed(self) -> bool:
        # A row that only moved still has to be saved with its new position.
        return self.renumbered or super().has_changed()

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        exclusions.add("position")  # renumbered by the formset
        return exclusions


class RenumberingFormSet(forms.BaseInlineFormSet):
    def clean(self):
        self._renumber()
        super().clean()

    def _renumber(self) -> None:
        """Order by the positions typed, empty ones last; 1, 2, 3…

        A row given a new number takes that place and the others make room: on a tie, a
        row moved up (or a new one) goes before the one already there, a row moved down
        after it, so typing 1 on the last row makes it the first. Other ties keep their
        order on the page.
        """
        kept = []
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or form.errors:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if not (form.instance.pk or form.has_changed()):
                continue
            typed = form.cleaned_data.get("position")
            if typed is None:
                kept.append((math.inf, 1, index, form))
                continue
            before = form.initial.get("position") if form.instance.pk else None
            moved = 1 if typed == before else 0 if before is None or typed < before else 2
            kept.append((typed, moved, index, form))
        for number, (*_, form) in enumerate(sorted(kept, key=lambda k: k[:3]), start=1):
            if form.instance.pk and form.initial.get("position") != number:
                form.renumbered = True
            form.cleaned_data["position"] = number
            form.instance.position = number
