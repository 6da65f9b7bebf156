from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.functional import cached_property

from .analysis import Period, period_compared
from .breakdowns import Filters
from .models import ORIGIN_TEXT_MAX_LENGTH, Device
from .statistics import first_counted_day

PRESETS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "all": "All time"}
DEFAULT_PRESET = "30"
MAX_DAYS = 3 * 366  # a chart of more days than this is unreadable; choose "All time"
# No figures reach back further, and the charts and comparisons reach a period further back
# still: a date near year 1 would take them past the first date there is.
EARLIEST_DAY = date(2000, 1, 1)
TOO_EARLY = f"That date is too early: choose one from {EARLIEST_DAY:%-d %B %Y} on."


def date_field(**kwargs: Any) -> forms.DateField:
    """An optional date box (ISO dates: a date box shows the site's "23/11/2026" empty)
    that refuses dates before EARLIEST_DAY."""
    return forms.DateField(
        required=False,
        validators=[MinValueValidator(EARLIEST_DAY, message=TOO_EARLY)],
        widget=forms.DateInput(
            attrs={"type": "date", "min": EARLIEST_DAY.isoformat()}, format="%Y-%m-%d"
        ),
        **kwargs,
    )


class PeriodForm(forms.Form):
    """A preset (?range=7|30|90|all) or custom dates (?start=…&end=…), the latter winning."""

    range = forms.ChoiceField(choices=list(PRESETS.items()), required=False)
    start = date_field()
    end = date_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start is None and end is None:
            return data
        if start is None or end is None:
            raise forms.ValidationError("Give both a start and an end date.")
        if start > end:
            raise forms.ValidationError("The start date must be on or before the end date.")
        if end > timezone.localdate():
            self.add_error("end", "The end date cannot be in the future.")
        elif (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                f"Choose at most {MAX_DAYS} days, or the “All time” preset."
            )
        return data

    @cached_property
    def counted_since(self) -> date | None:
        """The first day any view was counted (None: none yet). Before it the site has no
        figures, which are not zeros: no chart, no comparison reaches back there."""
        return first_counted_day()

    def period(self) -> Period:
        """The chosen period; a form with errors falls back to the default preset. It is
        compared with the period before only when that one was counted from its start."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        preset = data.get("range") or DEFAULT_PRESET
        if data.get("start") and data.get("end"):
            period = Period(start=data["start"], end=data["end"])
        elif preset == "all":
            first = self.counted_since or today
            return Period(start=min(first, today), end=today, compare=False)
        else:
            period = Period(start=today - timedelta(days=int(preset) - 1), end=today)
        return period_compared(period, counted_since=self.counted_since)

    def active_preset(self) -> str:
        if not self.is_valid():
            return DEFAULT_PRESET
        if self.cleaned_data.get("start"):
            return ""
        return self.cleaned_data.get("range") or DEFAULT_PRESET


class FilterForm(forms.Form):
    """Narrows the whole dashboard (?source=…&device=…&country=…&tag=…). A value that is not
    valid is reported beside the filters and ignored, never a 500."""

    source = forms.CharField(max_length=ORIGIN_TEXT_MAX_LENGTH, required=False)
    device = forms.ChoiceField(choices=[("", "Any device"), *Device.choices], required=False)
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        error_messages={"invalid": "A country is a two-letter code, e.g. DE."},
    )
    tag = forms.SlugField(max_length=100, required=False)

    def filters(self) -> Filters:
        if not self.is_valid():
            data = {name: self.cleaned_data.get(name, "") for name in self.fields}
            data = {name: value for name, value in data.items() if name not in self.errors}
        else:
            data = self.cleaned_data
        return Filters(
            source=(data.get("source") or "").strip(),
            device=data.get("device") or "",
            country=(data.get("country") or "").upper(),
            tag=data.get("tag") or "",
        )
