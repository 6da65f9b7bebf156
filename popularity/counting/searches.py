"""Counting site searches: each search of /search/ by its normalised query and day, and which
result a reader opened from it (the `sp`/`sq` parameters its result links carry).

Nothing here knows who searched: a day's row holds the query and counts, never a reader's
hash or address. Queries that look like an e-mail address, a phone number or a long run of
digits are dropped before anything is written or logged.

Hot path: one Redis call (HINCRBY into `<prefix>:searches`) when REDIS_URL is set, else one
SQL statement. `searches_flush` moves the Redis hash into PostgreSQL in set-based statements
(a fixed number of statements, however many distinct queries the batch holds).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date, datetime

import redis
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article
from core.search_terms import search_normalise

from ..models import DailySearch, DailySearchOpen, FlushedBatch
from .buffer import get_buffer

logger = logging.getLogger(__name__)

# Result-link parameters: the result's position (1 = first) and the search's query.
POSITION_PARAMETER = "sp"
QUERY_PARAMETER = "sq"
# Positions past this are not a reader choosing among results (nor a believable link).
MAX_POSITION = 1000
_SEPARATOR = "\x1f"


def searches_key(prefix: str) -> str:
    return f"{prefix}:searches"


def search_record(*, query: str, results: int, now: datetime | None = None) -> None:
    """Count one search of `query` (normalised already) that found `results` articles."""
    day = timezone.localdate(now or timezone.now())
    buffer = get_buffer()
    if buffer is not None:
        try:
            field = _SEPARATOR.join(("s", day.isoformat(), query, str(results)))
            buffer.client.hincrby(searches_key(buffer.prefix), field, 1)
            return
        except buffer.errors:
            logger.warning("popularity: Redis buffer failed, counting the search in PostgreSQL")
    searches_upsert([(day, query, 1, results)])


def search_open_record(
    *, query: str, article_id: int, position: int, now: datetime | None = None
) -> None:
    """Count one result opened from a search's page: its article and position."""
    day = timezone.localdate(now or timezone.now())
    buffer = get_buffer()
    if buffer is not None:
        try:
            field = _SEPARATOR.join(("o", day.isoformat(), query, str(article_id), str(position)))
            buffer.client.hincrby(searches_key(buffer.prefix), field, 1)
            return
        except buffer.errors:
            logger.warning("popularity: Redis buffer failed, counting the opening in PostgreSQL")
    search_opens_upsert([(day, query, article_id, 1, position)])


def opened_result(get: dict) -> tuple[str, int] | None:
    """(normalised query, position) of a result link's parameters, or None."""
    raw = get.get(POSITION_PARAMETER, "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        return None
    position = int(raw)
    query = search_normalise(get.get(QUERY_PARAMETER))
    if not query or not 1 <= position <= MAX_POSITION:
        return None
    return query, position


def searches_flush() -> int:
    """Move buffered searches into PostgreSQL; the number of searches written."""
    buffer = get_buffer()
    if buffer is None:
        return 0
    batch_id = uuid.uuid4()
    try:
        buffer.client.rename(searches_key(buffer.prefix), f"{buffer.prefix}:searchbatch:{batch_id}")
    except redis.ResponseError as error:  # nothing buffered since the last flush
        if "no such key" not in str(error).lower():
            raise
    written = 0
    for raw_key in buffer.client.scan_iter(match=f"{buffer.prefix}:searchbatch:*", count=100):
        key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
        fields = {
            (k.decode() if isinstance(k, bytes) else k): int(v)
            for k, v in buffer.client.hgetall(key).items()
        }
        written += _batch_apply(uuid.UUID(key.rsplit(":", 1)[1]), fields)
        buffer.client.delete(key)
    return written


def _batch_apply(batch_id: uuid.UUID, fields: dict[str, int]) -> int:
    searches: dict[tuple[date, str], list[int]] = {}
    opens: dict[tuple[date, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for field, count in sorted(fields.items()):
        kind, day_text, query, *rest = field.split(_SEPARATOR)
        day = date.fromisoformat(day_text)
        if kind == "s":
            slot = searches.setdefault((day, query), [0, 0])
            slot[0] += count
            slot[1] = max(slot[1], int(rest[0]))
        elif kind == "o":
            slot = opens[(day, query, int(rest[0]))]
            slot[0] += count
            slot[1] += count * int(rest[1])
    with transaction.atomic():
        _, created = FlushedBatch.objects.get_or_create(batch_id=batch_id)
        if not created:
            return 0
        searches_upsert([(d, q, n, r) for (d, q), (n, r) in searches.items()])
        live = set(
            Article.objects.filter(pk__in={a for _, _, a in opens}).values_list("pk", flat=True)
        )
        search_opens_upsert([(d, q, a, n, p) for (d, q, a), (n, p) in opens.items() if a in live])
    return sum(n for n, _ in searches.values())


# Raw SQL below: the ORM's upsert can only overwrite a count with the new one, never add to
# it, and cannot feed one table's update from another's insert in the same statement.


def searches_upsert(rows: list[tuple[date, str, int, int]]) -> None:
    """(day, query, searches, results): one statement, whatever the number of rows."""
    if not rows:
        return
    days, queries, counts, results = (list(c) for c in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {DailySearch._meta.db_table} AS s
                (day, query, searches, results, opened, position_sum)
            SELECT day, query, searches, results, 0, 0
            FROM unnest(%s::date[], %s::varchar[], %s::bigint[], %s::int[])
                AS t(day, query, searches, results)
            ON CONFLICT (day, query) DO UPDATE
                SET searches = s.searches + EXCLUDED.searches, results = EXCLUDED.results
            """,
            [days, queries, counts, results],
        )


def search_opens_upsert(rows: list[tuple[date, str, int, int, int]]) -> None:
    """(day, query, article, opened, sum of positions): one statement. Only a search counted
    that day can be opened: a link forged for a query nobody searched adds nothing."""
    if not rows:
        return
    days, queries, articles, opened, positions = (list(c) for c in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH t AS (
                SELECT t.* FROM unnest(%s::date[], %s::varchar[], %s::bigint[], %s::bigint[],
                                       %s::bigint[])
                    AS t(day, query, article_id, opened, position_sum)
                JOIN {DailySearch._meta.db_table} AS s USING (day, query)
            ), searches AS (
                UPDATE {DailySearch._meta.db_table} AS s
                SET opened = s.opened + g.opened, position_sum = s.position_sum + g.position_sum
                FROM (SELECT day, query, sum(opened) AS opened, sum(position_sum) AS position_sum
                      FROM t GROUP BY day, query) AS g
                WHERE s.day = g.day AND s.query = g.query
            )
            INSERT INTO {DailySearchOpen._meta.db_table} AS o
                (day, query, article_id, opened, position_sum)
            SELECT day, query, article_id, opened, position_sum FROM t
            ON CONFLICT (day, query, article_id) DO UPDATE
                SET opened = o.opened + EXCLUDED.opened,
                    position_sum = o.position_sum + EXCLUDED.position_sum
            """,
            [days, queries, articles, opened, positions],
        )
