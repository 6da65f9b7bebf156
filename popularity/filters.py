"""Links that narrow the dashboard to one source, device or country (or undo it): the
period and the other filters stay, the page number goes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import urlencode

from django.http import QueryDict

from .breakdowns import BreakdownRow, Filters
from .engaged import Engagement
from .models import Device
from .statistics import TagRow

PANEL_ROWS = 10  # rows of each panel on the page; its CSV has them all


@dataclass(frozen=True)
class PanelRow:
    row: BreakdownRow
    label: str
    filter_url: str | None  # None: this panel does not filter, or the value cannot be chosen


@dataclass(frozen=True)
class Panel:
    name: str  # the export's name too
    title: str
    column: str  # the first column's heading
    rows: list[PanelRow]
    total_rows: int


@dataclass(frozen=True)
class TagShown:
    row: TagRow
    filter_url: str
    engagement: Engagement | None = None  # None: none of its articles reported any


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    remove_url: str


_PANELS = {
    # name: (title, first column, the query parameter a row filters by)
    "sources": ("Top sources", "Source", "source"),
    "campaigns": ("Top campaigns", "Campaign", ""),
    "devices": ("Devices", "Device", "device"),
    "browsers": ("Browsers", "Browser", ""),
    "systems": ("Operating systems", "System", ""),
    "countries": ("Countries", "Country", "country"),
}
_PAGE_ONLY = ("page",)


def with_query(query: QueryDict, **changes: str) -> str:
    """`?…` with the changes made (an empty value removes the parameter) and no page."""
    copy = query.copy()
    for name in (*_PAGE_ONLY, *changes):
        copy.pop(name, None)
    for name, value in changes.items():
        if value:
            copy[name] = value
    encoded = copy.urlencode()
    return f"?{encoded}" if encoded else "?"


def _label(name: str, row: BreakdownRow) -> str:
    if name == "devices":
        return Device(row.value).label if row.value in Device.values else row.value
    if name == "countries":
        return row.value or "Unknown"
    if name == "campaigns":
        return f"{row.value} ({row.source}{f' / {row.medium}' if row.medium else ''})"
    return row.value


def panels_shown(breakdowns: dict[str, list[BreakdownRow]], query: QueryDict) -> list[Panel]:
    panels = []
    for name, (title, column, parameter) in _PANELS.items():
        rows = breakdowns[name]
        panels.append(
            Panel(
                name=name,
                title=title,
                column=column,
                rows=[
                    PanelRow(
                        row=row,
                        label=_label(name, row),
                        filter_url=with_query(query, **{parameter: row.value})
                        if parameter and row.value
                        else None,
                    )
                    for row in rows[:PANEL_ROWS]
                ],
                total_rows=len(rows),
            )
        )
    return panels


def filter_links(query: QueryDict, filters: Filters, *, tag_name: str = "") -> list[ActiveFilter]:
    """The filters in force, each with the link that drops it; the tag by `tag_name` (the
    slug when there is no such tag)."""
    labels = {"tag": tag_name} if tag_name else {}
    active = []
    for name, value in _in_force(filters):
        shown = Device(value).label if name == "device" else labels.get(name, value)
        active.append(
            ActiveFilter(
                label=f"{name.capitalize()}: {shown}", remove_url=with_query(query, **{name: ""})
            )
        )
    return active


def tags_shown(
    tags: list[TagRow], query: QueryDict, *, engagement: Mapping[str, Engagement] | None = None
) -> list[TagShown]:
    """The tag table's rows, each linking to the dashboard narrowed to that tag, with what
    its readers did when `engagement` ({slug: …}) has it."""
    engagement = engagement or {}
    return [
        TagShown(
            row=tag, filter_url=with_query(query, tag=tag.slug), engagement=engagement.get(tag.slug)
        )
        for tag in tags
    ]


def filter_query(filters: Filters) -> str:
    """The filters in force as `&name=value…` (or ""), for links that change the period
    and keep them."""
    pairs = _in_force(filters)
    return f"&{urlencode(pairs)}" if pairs else ""


def _in_force(filters: Filters) -> list[tuple[str, str]]:
    """(query parameter, value) of each filter in force, in the order they are shown."""
    return [(f.name, getattr(filters, f.name)) for f in fields(filters) if getattr(filters, f.name)]
