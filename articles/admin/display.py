"""How the articles admin writes a moment for editors: "2 Mar 2026, 09:00", local time."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format


def when(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i") if moment else "no date"
