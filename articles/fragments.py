"""Parts of a page rendered once per content version and kept in this process.

A search for a new query is a page nobody has seen, so it cannot be kept whole; but all of
it except the query's own words (the layout around the results, each result's title and
date) is the same for every query until the content changes. Those parts are rendered
once with a *slot* where the query's part goes, and filled in by string joining.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from django.utils.safestring import SafeString, mark_safe

# A private-use character: escaping leaves it alone, and search_clean takes it out of
# queries. Anything rendered with a slot in it more or less than once is not kept.
SLOT = "\ue002"
_KEPT_PER_PROCESS = 5_000


class _Fragments:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: object = None
        self.parts: dict[Hashable, tuple[str, ...] | None] = {}

    def get(
        self, version: object, key: Hashable, render: Callable[[], str]
    ) -> tuple[str, ...] | None:
        with self.lock:
            if version != self.version:
                self.version, self.parts = version, {}
            if key in self.parts:
                return self.parts[key]
        html = render()
        parts = tuple(html.split(SLOT))
        kept = parts if len(parts) > 1 else None
        with self.lock:
            if version == self.version:
                if len(self.parts) >= _KEPT_PER_PROCESS:
                    self.parts.clear()
                self.parts[key] = kept
        return kept


_fragments = _Fragments()


def filled(
    version: object, key: Hashable, render: Callable[[], str], *values: str
) -> SafeString | None:
    """The kept rendering of `render()` (made with one SLOT per value) with `values`, which
    must be safe HTML, in its slots; None if it did not have exactly that many slots."""
    parts = _fragments.get(version, key, render)
    if parts is None or len(parts) != len(values) + 1:
        return None
    out = [parts[0]]
    for value, part in zip(values, parts[1:], strict=True):
        out += [value, part]
    return mark_safe("".join(out))


def forget() -> None:
    """Drop every kept fragment (tests)."""
    with _fragments.lock:
        _fragments.version, _fragments.parts = None, {}
