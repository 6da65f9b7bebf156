"""The counting rule, as plain functions over plain data (no database, no Redis).

One "reader" = same day, address, browser and article, never stored as such: the first view
of the day counts and makes a unique reader; a further view counts only when
POPULARITY_REPEAT_VIEW_MINUTES have passed since the reader's last counted view, and never
more than POPULARITY_MAX_VIEWS_PER_READER times that day. Ten reloads in a row are one view.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from django.conf import settings

from ..models import AGENT_MAX_LENGTH

# (day, reader hash): one reader of one article on one day.
ReaderKey = tuple[date, int]
# (views counted so far that day, when the last one was counted)
ReaderState = tuple[int, datetime]


@dataclass(frozen=True)
class CountingRule:
    repeat_after: timedelta
    max_views: int

    @classmethod
    def from_settings(cls) -> CountingRule:
        return cls(
            repeat_after=timedelta(minutes=settings.POPULARITY_REPEAT_VIEW_MINUTES),
            max_views=max(1, settings.POPULARITY_MAX_VIEWS_PER_READER),
        )


class SeenView(Protocol):
    """A view waiting for the rule's verdict (the buffer's BufferedView is one)."""

    @property
    def day(self) -> date: ...
    @property
    def reader(self) -> int: ...
    @property
    def at(self) -> datetime: ...


V = TypeVar("V", bound=SeenView)


@dataclass(frozen=True)
class Verdicts(Generic[V]):
    counted: list[tuple[V, bool]]  # (view, is a new reader) for each view that counts
    overruled: set[ReaderKey]  # readers some of whose views did not count
    state: dict[ReaderKey, ReaderState]  # every reader's state after these views
    changed: set[ReaderKey]  # readers whose state these views moved


def rule_apply(
    views: Iterable[V], *, state: dict[ReaderKey, ReaderState], rule: CountingRule
) -> Verdicts[V]:
    """Decide, in the order they were seen, which views count, given what is already known
    of their readers (`state`, not changed): the same decision the one-statement path makes
    in PostgreSQL."""
    state = dict(state)
    counted: list[tuple[V, bool]] = []
    overruled: set[ReaderKey] = set()
    changed: set[ReaderKey] = set()
    for view in sorted(views, key=lambda view: view.at):
        key = (view.day, view.reader)
        known = state.get(key)
        if known is None:
            counted.append((view, True))
        elif known[0] < rule.max_views and known[1] <= view.at - rule.repeat_after:
            counted.append((view, False))
        else:
            overruled.add(key)
            continue
        state[key] = (known[0] + 1 if known else 1, view.at)
        changed.add(key)
    return Verdicts(counted=counted, overruled=overruled, state=state, changed=changed)


def reader_hash(
    *, salt: bytes, ip: str, user_agent: str, article_id: int, purpose: str = ""
) -> int:
    """64 bits of HMAC-SHA256 keyed by the day's salt: meaningless once the salt is gone.

    `purpose` keeps other seen-sets (read-depth reports) apart from the view counter's.
    """
    message = f"{ip}\n{user_agent}\n{article_id}".encode()
    if purpose:
        message += f"\n{purpose}".encode()
    digest = hmac.new(salt, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def agent_counted(user_agent: str) -> str:
    """The user agent as DailyAgentView keeps it: cut to its column, and without NUL, which
    PostgreSQL text cannot hold (a header carrying one must not make the count fail)."""
    return user_agent[:AGENT_MAX_LENGTH].replace("\x00", "\ufffd")
