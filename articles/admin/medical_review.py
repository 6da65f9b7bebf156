"""Medical review in the article admin: the "Medical review" fieldset, its state on the
change form and in the list, the "review due" / "never reviewed" filters, and recording a
review when an editor names a reviewer, changes the date or ticks "reviewed today"."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from .. import services
from ..medical_review import ReviewStatus, review_date_problem, reviewer_problem
from ..models import Article, AuthorProfile

REVIEW_FIELDS = ["health_content", "reviewer", "reviewed_at", "mark_reviewed_today"]


def reviewer_label(profile: AuthorProfile) -> str:
    """A reviewer's choice shows their credentials, or that they have none."""
    if profile.credentials:
        return f"{profile.name}, {profile.credentials}"
    return f"{profile.name} (no credentials)"


class MedicalReviewForm(forms.ModelForm):
    """Mixed into the article form: the reviewer must have credentials, a review names who
    and when, and "reviewed today" fills in the date."""

    mark_reviewed_today = forms.BooleanField(
        label="Reviewed today",
        required=False,
        help_text=(
            "Tick when the reviewer has checked the text as you save it now: the date "
            "becomes today and the review covers this version."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reviewer" in self.fields:
            self.fields["reviewer"].label_from_instance = reviewer_label

    def clean_reviewer(self):
        reviewer = self.cleaned_data.get("reviewer")
        if reviewer is not None and (problem := reviewer_problem(reviewer)):
            raise ValidationError(problem, code="no_credentials")
        return reviewer

    def clean_reviewed_at(self):
        day = self.cleaned_data.get("reviewed_at")
        if day is not None and (problem := review_date_problem(day)):
            raise ValidationError(problem, code="future")
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mark_reviewed_today"):
            cleaned["reviewed_at"] = timezone.localdate()
        if "reviewer" not in cleaned or "reviewed_at" not in cleaned:
            return cleaned  # their own errors first (or not on this form)
        reviewer, day = cleaned.get("reviewer"), cleaned.get("reviewed_at")
        if reviewer is not None and day is None:
            self.add_error(
                "reviewed_at",
                ValidationError(
                    "Give the day of the review, or tick “Reviewed today”.", code="no_date"
                ),
            )
        elif reviewer is None and day is not None:  # typed, or "reviewed today"
            self.add_error(
                "reviewer",
                ValidationError("Choose who reviewed the text on that day.", code="no_reviewer"),
            )
        return cleaned

    @property
    def review_recorded(self) -> bool:
        """The editor recorded a review (or removed it) with this save."""
        return bool(
            {"reviewer", "reviewed_at"} & set(self.changed_data)
            or self.cleaned_data.get("mark_reviewed_today")
        )


class MedicalReviewFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "medical_review"

    def lookups(self, request, model_admin):
        return [
            ("due", "Review due"),
            ("never", "Never reviewed"),
            ("changed", "Changed since review"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "due":
                return queryset.review_due()
            case "never":
                return queryset.never_reviewed()
            case "changed":
                return queryset.changed_since_review()
        return queryset


_BADGE_CLASS = {
    ReviewStatus.CURRENT: "published",
    ReviewStatus.DUE: "scheduled",
    ReviewStatus.CHANGED: "refused",
    ReviewStatus.NEVER: "draft",
}


def review_badge(status: ReviewStatus | None) -> str:
    if status is None:
        return ""
    return format_html(
        '<span class="article-status article-status-{}">{}</span>',
        _BADGE_CLASS[status],
        status.label,
    )


class MedicalReviewAdminMixin:
    """For ArticleAdmin: the fieldset, the state shown, and recording reviews on save."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = kwargs.get("form", self.form)
        if not issubclass(form, MedicalReviewForm):
            kwargs["form"] = type(form.__name__, (MedicalReviewForm, form), {})
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "medical_review"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        after = next(
            (i + 1 for i, (name, _) in enumerate(fieldsets) if name == "Publishing"),
            len(fieldsets),
        )
        fields = [*REVIEW_FIELDS, "medical_review"] if obj is not None else REVIEW_FIELDS
        # Folded on articles that give no medical information and name no reviewer.
        shown = obj is not None and (obj.health_content or obj.reviewer_id is not None)
        options = {"fields": fields, "classes": [] if shown else ["collapse"]}
        fieldsets.insert(after, ("Medical review", options))
        return fieldsets

    @admin.display(description="Medical review")
    def medical_review_badge(self, obj: Article) -> str:
        return review_badge(obj.medical_review_status)

    @admin.display(description="Review")
    def medical_review(self, obj: Article) -> str:
        status = obj.medical_review_status
        if status is None:
            return "Not health content, and no reviewer named."
        explanation = {
            ReviewStatus.CURRENT: "The review covers the text as it is now.",
            ReviewStatus.DUE: (
                f"Reviewed on {when_day(obj)}, longer ago than the review interval: ask for "
                "a new review."
            ),
            ReviewStatus.CHANGED: (
                f"The text changed after the review of {when_day(obj)}: readers are told the "
                "review covers an earlier version. Once the reviewer has checked this "
                "version, tick “Reviewed today”."
            ),
            ReviewStatus.NEVER: "No medical reviewer yet: readers see no review.",
        }[status]
        return format_html("{} {}", review_badge(status), explanation)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not getattr(form, "review_recorded", False):
            return
        article = form.instance
        reviewer = form.cleaned_data.get("reviewer")
        if reviewer is None:
            services.article_review_clear(article=article)
        else:
            services.article_review_record(
                article=article, reviewer=reviewer, reviewed_on=form.cleaned_data["reviewed_at"]
            )


def when_day(obj: Article) -> str:
    return date_format(obj.reviewed_at, "j M Y") if obj.reviewed_at else "no date"
