"""The article table as CSV rows: the download and `popularity_report` print the same."""

from __future__ import annotations

from django.utils import timezone

from .breakdowns import BreakdownRow
from .least_read import LeastRead
from .paths import ArticlePaths, PathPair
from .statistics import ArticleRow

CSV_HEADER = [
    "rank",
    "article",
    "slug",
    "views",
    "unique readers",
    "share %",
    "previous period views",
    "change %",
    "completion %",
    "onward %",
]
ARTICLE_PATHS_CSV_HEADER = ["direction", "article", "slug", "readers"]
PAIRS_CSV_HEADER = ["read first", "first slug", "then", "then slug", "readers"]


def safe_cell(text: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula; quote it as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(row: ArticleRow) -> list[str]:
    """A table row as the CSV writes it; the HTML table shows the same figures."""
    return [
        str(row.rank),
        safe_cell(row.title),
        row.slug,
        str(row.views),
        str(row.unique_readers),
        f"{row.share:.1f}",
        "" if row.previous_views is None else str(row.previous_views),
        "" if row.change is None else f"{row.change:+.1f}",
        "" if row.completion_rate is None else f"{row.completion_rate:.0f}",
        "" if row.onward_rate is None else f"{row.onward_rate:.0f}",
    ]


def breakdown_header(panel: str) -> list[str]:
    first = {"campaigns": ["campaign", "source", "medium"]}.get(panel, [panel.rstrip("s")])
    return [*first, "views", "unique readers", "share %"]


def breakdown_row(panel: str, row: BreakdownRow) -> list[str]:
    """A panel's row as CSV; every text cell came from a request, so none may run."""
    first = [safe_cell(row.value)]
    if panel == "campaigns":
        first += [safe_cell(row.source), safe_cell(row.medium)]
    return [*first, str(row.views), str(row.unique_readers), f"{row.share:.1f}"]


LEAST_READ_CSV_HEADER = [
    "article id",
    "title",
    "published",
    "days published in period",
    "unique readers",
    "readers a day",
    "read-depth reports",
    "completion %",
]


def least_read_row(item: LeastRead) -> list[str]:
    rate = item.completion_rate
    return [
        str(item.article_id),
        safe_cell(item.title),
        timezone.localdate(item.published_at).isoformat(),
        str(item.days),
        str(item.readers),
        f"{item.readers_a_day:.2f}",
        str(item.depth_readers),
        "" if rate is None else f"{rate:.0f}",
    ]


def article_path_csv_rows(paths: ArticlePaths) -> list[list[str]]:
    """An article's "came from" rows, then its "read next" rows."""
    return [
        [direction, safe_cell(item.title), item.slug, str(item.readers)]
        for direction, items in (("came from", paths.came_from), ("read next", paths.read_next))
        for item in items
    ]


def pair_csv_row(pair: PathPair) -> list[str]:
    return [
        safe_cell(pair.from_title),
        pair.from_slug,
        safe_cell(pair.to_title),
        pair.to_slug,
        str(pair.readers),
    ]
