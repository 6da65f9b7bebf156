"""Review before publishing, and previews others can open, on the article admin.

- Authors (no `articles.publish_article`) write and submit drafts for review; the status,
  publication date and unpublishing time are read-only to them, a published article is
  view-only, and the bulk publish actions and an import that would publish are refused
  (see ArticleAdmin).
- Editors approve a submitted draft (publish now, or schedule it for the date on the form)
  or send it back with a comment. Each step is a button on the change form; it saves the
  form and the step together, in one revision whose comment (and admin log entry) says it.
- A signed, expiring link shows a draft to someone without an account
  (articles.preview_links); the preview can be seen at phone and desktop widths.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html

from .. import review
from ..models import Article
from ..preview_links import (
    LIFETIMES,
    article_preview_links_revoke,
    preview_link_expires,
    preview_link_token,
)
from .display import when

SUBMIT, APPROVE, SCHEDULE, SEND_BACK = "submit", "approve", "schedule", "sendback"
#: The change form's review buttons: the POST name of each, and its label.
BUTTONS = {
    SUBMIT: "Submit for review",
    APPROVE: "Approve and publish",
    SCHEDULE: "Approve and schedule",
    SEND_BACK: "Send back",
}
# The history line of the review step taken in this request, for log_change.
_STEP = "article_review_step"
# …and the message that says it, in place of the admin's "was changed successfully".
_STEP_MESSAGE = "article_review_step_message"
PHONE, DESKTOP = "phone", "desktop"
WIDTHS = {PHONE: ("Phone", 375), DESKTOP: ("Desktop", 1280)}


def review_action(request) -> str | None:
    """Which review button sent this POST, if any (an unknown name is an ordinary save)."""
    if request.method != "POST":
        return None
    return next((action for action in BUTTONS if f"_review_{action}" in request.POST), None)


def available_actions(article: Article | None, *, may_publish: bool) -> list[str]:
    if article is None or article.status != Article.Status.DRAFT:
        return [] if may_publish else [SUBMIT] if article is None else []
    if may_publish:
        submitted = article.review_state == Article.ReviewState.SUBMITTED
        return [APPROVE, SCHEDULE, SEND_BACK] if submitted else []
    return [] if article.review_state == Article.ReviewState.SUBMITTED else [SUBMIT]


def review_form(base: type[forms.ModelForm], *, action: str | None, may_publish: bool):
    """The article form with the review comment, checking the step a button asks for."""

    class ReviewForm(base):  # type: ignore[valid-type,misc]
        review_note = forms.CharField(
            label="Comment",
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            help_text=(
                "Sending back: what the author should change (required). Submitting: an "
                "optional note for the editor. Both go into the article's history and the e-mail."
            ),
        )

        @cached_property
        def changed_data(self) -> list[str]:
            # The comment belongs to the review step, not to the article's changes.
            return [name for name in super().changed_data if name != "review_note"]

        def clean(self):
            if action in (APPROVE, SCHEDULE) and may_publish and self.instance.pk:
                # Approving publishes: what publishing demands (a standfirst, the checks
                # before publishing) is asked of the form now, as for a save as Published,
                # never found later as an error in the middle of the save.
                self.cleaned_data["status"] = Article.Status.PUBLISHED
            cleaned = super().clean()
            if action in (APPROVE, SCHEDULE, SEND_BACK) and not may_publish:
                raise ValidationError(
                    "Only an editor can approve or send back an article.", code="not_allowed"
                )
            if action == SEND_BACK and not cleaned.get("review_note", "").strip():
                self.add_error(
                    "review_note",
                    ValidationError(
                        "Say what the author should change: sending back needs a comment.",
                        code="comment_required",
                    ),
                )
            if action == SCHEDULE and "published_at" not in self.errors:
                at = cleaned.get("published_at")
                if at is None or at <= timezone.now():
                    self.add_error(
                        "published_at",
                        ValidationError(
                            "To schedule, choose a publication date and time in the future.",
                            code="schedule_in_past",
                        ),
                    )
            if action and self.instance.pk and self.instance.is_public:
                raise ValidationError("This article is already published.", code="published")
            return cleaned

    ReviewForm.__name__ = ReviewForm.__qualname__ = f"Review{base.__name__}"
    return ReviewForm


class ShareForm(forms.Form):
    lifetime = forms.ChoiceField(
        label="The link works for",
        choices=[(value, label) for value, (_, label) in LIFETIMES.items()],
        initial="1d",
        widget=forms.RadioSelect,
    )


class ArticleReviewMixin:
    """For ArticleAdmin: see the module's docstring."""

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["articles/admin/review.css"]})  # type: ignore[misc]

    # -- permissions ----------------------------------------------------------

    def has_publish_permission(self, request) -> bool:
        """Publishing and scheduling (the bulk actions ask for it as permissions=["publish"])."""
        return review.user_may_publish(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):  # type: ignore[misc]
            return False
        # What readers see (or will, when scheduled) changes only through someone who
        # may publish: an author sees a published article, and cannot change it.
        return not (
            obj is not None
            and obj.status == Article.Status.PUBLISHED
            and not self.has_publish_permission(request)
        )

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), "review_state"]  # type: ignore[misc]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "review_status"]  # type: ignore[misc]
        if not self.has_publish_permission(request):
            # Taking an article down at a set time is publishing's business too.
            fields += ["status", "published_at", "expires_at", "expired_redirect"]
        return fields

    # -- the change form -------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        may_publish = self.has_publish_permission(request)
        actions = available_actions(obj, may_publish=may_publish)
        fields = []
        if obj is not None and (obj.review_state != Article.ReviewState.NONE or not may_publish):
            fields.append("review_status")
        if actions and self.has_change_permission(request, obj):
            fields.append("review_note")
        if fields:
            fieldsets.insert(1, ("Review", {"fields": fields, "classes": ["review"]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form", self.form)  # type: ignore[attr-defined]
        kwargs["form"] = review_form(
            base, action=review_action(request), may_publish=self.has_publish_permission(request)
        )
        return super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]

    @admin.display(description="Where it stands in review")
    def review_status(self, obj: Article) -> str:
        if obj.pk is None or obj.review_state == Article.ReviewState.NONE:
            return "Not submitted yet: “Submit for review” asks the editors to approve it."
        text = f"{obj.get_review_state_display()}, since {when(obj.review_changed_at)}."
        if obj.review_state == Article.ReviewState.SUBMITTED and obj.review_requested_by:
            text = f"{text} Submitted by {obj.review_requested_by}."
        if obj.review_comment:
            return format_html(
                '{}<blockquote class="review-comment">{}</blockquote>', text, obj.review_comment
            )
        return text

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        actions = available_actions(obj, may_publish=self.has_publish_permission(request))
        if obj is not None and not self.has_change_permission(request, obj):
            actions = []
        context["review_buttons"] = [(f"_review_{name}", BUTTONS[name]) for name in actions]
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    def save_model(self, request, obj, form, change):
        action = review_action(request)
        if action in (APPROVE, SCHEDULE, SEND_BACK) and not self.has_publish_permission(request):
            raise PermissionDenied
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if action is None:
            return
        link = request.build_absolute_uri(reverse("admin:articles_article_change", args=[obj.pk]))
        comment = form.cleaned_data.get("review_note", "")
        if action == SUBMIT:
            step = review.article_review_submit(
                article=obj, by=request.user, note=comment, link=link
            )
        elif action == SEND_BACK:
            step = review.article_review_send_back(
                article=obj, by=request.user, comment=comment, link=link
            )
        else:
            now = timezone.now()
            at = obj.published_at
            if action == APPROVE and (at is None or at > now):
                at = now  # publish now; a past date is kept (the article was published before)
            step = review.article_review_approve(article=obj, by=request.user, at=at, link=link)
        setattr(request, _STEP, step)
        setattr(request, _STEP_MESSAGE, f"“{obj}”: {step}")

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # The step says what happened to the article: it replaces the admin's "was changed
        # successfully" rather than following it in a second box.
        if level == messages.SUCCESS and (step := request.__dict__.pop(_STEP_MESSAGE, None)):
            message = step
        return super().message_user(request, message, level, *args, **kwargs)  # type: ignore[misc]

    def log_change(self, request, obj, message):
        step = getattr(request, _STEP, None)
        if step:
            # One line for the save and the step: the admin log and the revision's comment.
            # An empty list would read "No fields changed.": the step alone says it better.
            changes = (
                LogEntry(change_message=json.dumps(message)).get_change_message()
                if message and isinstance(message, list)
                else message
            )
            message = f"{changes} {step}" if changes else step
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_addition(self, request, obj, message):
        step = getattr(request, _STEP, None)
        if step:
            message = f"Added. {step}"
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    # -- extra pages: preview widths, share a preview link -------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"  # type: ignore[attr-defined]
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path(
                "<int:pk>/preview/widths/",
                wrap(self.preview_widths_view),
                name=f"{prefix}_preview_widths",
            ),
            path("<int:pk>/share/", wrap(self.share_view), name=f"{prefix}_share"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def _article_for(self, request, pk: int) -> Article:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_or_change_permission(request, article):  # type: ignore[attr-defined]
            raise Http404
        return article

    def preview_widths_view(self, request, pk: int):
        article = self._article_for(request, pk)
        width = request.GET.get("width", PHONE)
        if width not in WIDTHS:
            width = PHONE
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.opts,  # type: ignore[attr-defined]
            "original": article,
            "title": f"Preview of “{article}”",
            "preview_url": reverse("admin:articles_article_preview", args=[article.pk]),
            "widths": [
                (key, label, pixels, key == width) for key, (label, pixels) in WIDTHS.items()
            ],
            "width": width,
            "width_label": WIDTHS[width][0].lower(),
        }
        return TemplateResponse(request, "admin/articles/article/preview_widths.html", context)

    def share_view(self, request, pk: int):
        article = self._article_for(request, pk)
        form = ShareForm(request.POST or None)
        link = expires = None
        if request.method == "POST" and "_revoke" in request.POST:
            if not self.has_change_permission(request, article):
                raise PermissionDenied
            article_preview_links_revoke(article=article)
            self.log_change(request, article, "Withdrew every preview link given out.")  # type: ignore[attr-defined]
            messages.success(request, "Every preview link given out so far now answers 404.")
            return HttpResponseRedirect(request.path)
        if request.method == "POST" and not article.is_public and form.is_valid():
            lifetime, label = LIFETIMES[form.cleaned_data["lifetime"]]
            token = preview_link_token(article=article, lifetime=lifetime)
            link = request.build_absolute_uri(reverse("articles:preview-link", args=[token]))
            expires = when(preview_link_expires(lifetime=lifetime))
            self.log_change(request, article, f"Shared a preview link, valid for {label}.")  # type: ignore[attr-defined]
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.opts,  # type: ignore[attr-defined]
            "original": article,
            "title": f"Share a preview of “{article}”",
            "form": form,
            "link": link,
            "expires": expires,
            "can_revoke": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/share.html", context)
