"""Parts of a page rendered once per content version and kept in this process.

A search for a new query is a page nobody has seen, so it cannot be kept whole; but all of
it except the query's own parts (its words, its count, its results' snippets) is the same
for every query until the content changes. Those parts are rendered once with named
*slots* where the query's parts go, and filled in by string joining.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# A private-use character: escaping leaves it alone, and search_clean takes it out of
# queries. A rendering with a stray one, or with other slots than the values given, is
# not used: a value dropped or cut by a filter would otherwise show another query's part.
MARK = "\ue002"
_SLOT = re.compile(MARK + r"([a-z_]+)" + MARK)
_KEPT_PER_PROCESS = 5_000


def slot(name: str) -> str:
    """What to render in place of the value `name` (lower-case letters and _)."""
    return f"{MARK}{name}{MARK}"


_Kept = tuple[tuple[str, ...], tuple[str, ...]]  # the texts between the slots; slot names


def _split(html: str) -> _Kept | None:
    pieces = _SLOT.split(html)
    texts, names = tuple(pieces[0::2]), tuple(pieces[1::2])
    if not names or any(MARK in text for text in texts):
        return None
    return texts, names


class _Fragments:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: object = None
        self.parts: dict[Hashable, _Kept | None] = {}

    def get(self, version: object, key: Hashable, render: Callable[[], str]) -> _Kept | None:
        with self.lock:
            if version != self.version:
                self.version, self.parts = version, {}
            if key in self.parts:
                return self.parts[key]
        kept = _split(render())
        with self.lock:
            if version == self.version:
                if len(self.parts) >= _KEPT_PER_PROCESS:
                    self.parts.clear()
                self.parts[key] = kept
        return kept


_fragments = _Fragments()


def filled(
    version: object, key: Hashable, render: Callable[[], str], **values: str
) -> SafeString | None:
    """The kept rendering of `render()` (made with `slot(name)` for each value) with the
    values, which must be safe HTML, in their slots; None unless it had exactly those slots
    (each may appear any number of times)."""
    kept = _fragments.get(version, key, render)
    if kept is None:
        return None
    texts, names = kept
    if not values.keys() == set(names):
        return None
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        out += [values[name], text]
    return mark_safe("".join(out))


def rendered(
    version: object, key: Hashable, template: str, context: dict, request=None, **values: str
) -> SafeString:
    """`template` with `context` and `values` (safe HTML): filled in from its rendering
    with slots kept under `key`, or, if that rendering cannot be used, rendered whole."""

    def with_slots() -> str:  # only when nothing is kept under `key` yet
        return render_to_string(
            template, {**context, **{name: slot(name) for name in values}}, request
        )

    kept = filled(version, key, with_slots, **values)
    if kept is not None:
        return kept
    return mark_safe(render_to_string(template, {**context, **values}, request))


def forget() -> None:
    """Drop every kept fragment (tests)."""
    with _fragments.lock:
        _fragments.version, _fragments.parts = None, {}
