"""The read-depth endpoint: small, signed, anonymous reports of how far a reader got and
how long the page was visible and in use (sent again, its time grown, each time it is hidden).

CSRF-exempt on purpose: a report carries no cookie-based authority, and it is only accepted
with the page's signed token (popularity.tokens). Everything doubtful answers 4xx and
writes nothing; readers who ask not to be tracked (Sec-GPC, DNT) are answered 204 and
nothing is written either.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from articles.models import Article
from core.client import client_ip
from core.ratelimit import rate_limit

from .client import is_crawler, is_speculative, is_staff, opted_out
from .engaged import ENGAGED_CAP_SECONDS
from .read_depth import ReportedSection, article_top_sections, read_report_record
from .tokens import TokenError, read_token_check

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024
MAX_SECTIONS = 1000


class ReportError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _refuse(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _no_content() -> HttpResponse:
    return HttpResponse(status=204)


def _ignored(request: HttpRequest) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return is_crawler(agent) or is_speculative(request) or is_staff(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ReportError(400, "Bad Content-Length.") from None


def _fields(request: HttpRequest) -> dict:
    """The report's fields from a JSON object or a form-encoded body (sendBeacon's)."""
    if _declared_length(request) > MAX_BODY_BYTES:
        raise ReportError(413, "Report too large.")
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise ReportError(413, "Report too large.")
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            data = json.loads(body.decode())
        except (UnicodeDecodeError, ValueError):
            raise ReportError(400, "Malformed JSON.") from None
        if not isinstance(data, dict):
            raise ReportError(400, "A report is a JSON object.")
        return data
    if content_type in ("application/x-www-form-urlencoded", "text/plain"):
        try:
            return QueryDict(body.decode(), encoding="utf-8").dict()
        except UnicodeDecodeError:
            raise ReportError(400, "Malformed form.") from None
    raise ReportError(415, "Send JSON or a form.")


def _whole(value, name: str, *, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ReportError(400, f"{name} must be a whole number.")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 4:
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise ReportError(400, f"{name} must be a whole number from {low} to {high}.")
    return value


def _reported_article(article_id: int) -> tuple[list[ReportedSection], int] | None:
    """The published article's top-level sections (the page's <section>s) and its reading
    time in minutes, or None."""
    reading_time = (
        Article.objects.published()
        .filter(pk=article_id)
        .values_list("reading_time", flat=True)
        .first()
    )
    if reading_time is None:
        return None
    sections = [
        ReportedSection(position, anchor, heading)
        for position, (anchor, heading) in enumerate(
            article_top_sections(article_id=article_id), start=1
        )
    ]
    return sections, reading_time


@method_decorator([csrf_exempt, never_cache], name="dispatch")
@method_decorator(rate_limit("read-depth", setting="POPULARITY_READ_DEPTH_RATE_LIMIT"), "post")
class ReadReportView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if opted_out(request) or _ignored(request):
            return _no_content()
        try:
            fields = _fields(request)
            token = fields.get("t")
            if not isinstance(token, str) or not token or len(token) > 200:
                raise ReportError(400, "Missing token.")
            try:
                signed = read_token_check(token)
            except TokenError:
                raise ReportError(403, "Invalid or expired token.") from None
            deepest = _whole(fields.get("d"), "d", low=0, high=MAX_SECTIONS)
            complete = _whole(fields.get("e", 0), "e", low=0, high=1) == 1
            # Engaged seconds; absent from reports of pages older than the measure.
            engaged = fields.get("s")
            if engaged is not None:
                engaged = _whole(engaged, "s", low=0, high=ENGAGED_CAP_SECONDS)
            article = _reported_article(signed.article_id)
            if article is None:
                raise ReportError(404, "No such article.")
            sections, reading_time = article
            if deepest > len(sections):
                raise ReportError(400, "The article has fewer sections.")
        except ReportError as error:
            return _refuse(error.status, error.message)
        kept = read_report_record(
            article_id=signed.article_id,
            token_day=signed.day,
            sections=sections,
            deepest=deepest,
            complete=complete,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            engaged=engaged,
            reading_time=reading_time,
        )
        if not kept:
            return _refuse(409, "Already reported.")
        return _no_content()
