"""The weekly digest's preview in the admin, for site owners, with a test sent to oneself."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.views.generic import TemplateView

from .digest import (
    digest_context,
    digest_recipients,
    digest_test_send,
    last_week_start,
    week_digest,
    week_start_of,
)
from .forms import date_field
from .models import SentDigest
from .views import StatisticsAccessMixin


class WeekForm(forms.Form):
    week = date_field(
        label="Week of", help_text="Any day of the week; the digest covers Monday to Sunday."
    )

    def clean_week(self) -> date | None:
        day = self.cleaned_data.get("week")
        if day and day > timezone.localdate():
            raise forms.ValidationError("That week has not happened yet.")
        return day

    def week_start(self) -> date:
        """The chosen week's Monday; last week when none (or no valid one) is chosen."""
        day = self.cleaned_data.get("week") if self.is_bound and self.is_valid() else None
        return week_start_of(day) if day else last_week_start()


class DigestPreviewView(StatisticsAccessMixin, TemplateView):
    template_name = "popularity/admin/digest_preview.html"

    def get_context_data(self, **kwargs):
        # Unbound without ?week=, so its field shows last week's Monday.
        form = WeekForm(self.request.GET or None, initial={"week": last_week_start()})
        week_start = form.week_start()
        digest = week_digest(week_start=week_start)
        return {
            **admin.site.each_context(self.request),
            **digest_context(digest=digest),
            "title": "Weekly digest",
            "week_form": form,
            "recipients": digest_recipients(),
            "sent": SentDigest.objects.filter(week_start=week_start).first(),
            **kwargs,
        }

    def post(self, request, *args, **kwargs):
        """Send the week's digest to the signed-in owner only, as a test."""
        form = WeekForm(request.POST)
        week_start = form.week_start()
        if not request.user.email:
            messages.error(request, "Your account has no e-mail address to send a test to.")
        else:
            digest_test_send(week_start=week_start, to=request.user.email)
            messages.success(request, f"A test of this digest was sent to {request.user.email}.")
        return HttpResponseRedirect(f"{request.path}?week={week_start.isoformat()}")
