"""What a request tells the counter: who the client is, and whether it is a reader at all."""

from __future__ import annotations

from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.http import HttpRequest

# Browsers announce speculative loads (link prefetch, prerender, Safari's preview).
_PURPOSE_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
_SPECULATIVE = ("prefetch", "prerender", "preview")


def is_speculative(request: HttpRequest) -> bool:
    """A prefetch or prerender: the page may never be seen."""
    for header in _PURPOSE_HEADERS:
        value = request.META.get(header, "").lower()
        if any(word in value for word in _SPECULATIVE):
            return True
    return False


# One detector for the process: its own LRU answers an agent it has seen in about a
# microsecond, where a new instance per request ran its ~280 µs of patterns every time.
# Its per-call `matches` attribute is the only state it keeps, and nothing here reads it.
_detector = CrawlerDetect()


def is_crawler(user_agent: str) -> bool:
    """Known bots (crawlerdetect's maintained pattern list), and clients that send no agent."""
    user_agent = user_agent.strip()
    return not user_agent or _detector.is_crawler(user_agent)


def is_staff(request: HttpRequest) -> bool:
    """Logged-in staff. Without a session cookie nobody is logged in: no session query."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def opted_out(request: HttpRequest) -> bool:
    """The browser asks not to be tracked (Global Privacy Control, or Do Not Track)."""
    return request.META.get("HTTP_SEC_GPC", "").strip() == "1" or (
        request.META.get("HTTP_DNT", "").strip() == "1"
    )
