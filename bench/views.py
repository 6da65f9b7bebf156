"""The benchmark's baseline: a stored page served through the full middleware stack."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse


@cache
def _page(path: str) -> bytes:
    return Path(path).read_bytes()


def baseline(request) -> HttpResponse:
    try:
        body = _page(settings.BENCH_BASELINE_FILE)
    except OSError:
        raise Http404("no baseline page stored yet") from None
    return HttpResponse(body, content_type="text/html; charset=utf-8")
