"""Optional Redis buffer for view counts (used when REDIS_URL is set).

A view is one atomic Lua call. It pre-filters on short-lived keys (`<prefix>:gap:<day>:<reader>`,
`<prefix>:seen:<day>:<reader>`, both expiring) so reloads never reach the buffer, and keeps
each view that passes as an event in the live hash `<prefix>:buffer`: field
`r:<article>:<day>:<reader>:<agent id>` → the times it was seen, each with the id of its
origin and, when a page of another article linked to it, that article's id
(`<epoch ms>/<origin id>[/<from article>]`, space separated; at most
POPULARITY_MAX_VIEWS_PER_READER of them; the origin itself is the value of `origin:<id>`).
Redis's verdict is provisional: the flush applies the counting rule again against
PostgreSQL's reader-days (ReaderDay), the same rows the straight-to-PostgreSQL path writes
while Redis is down, so a reader is counted once whichever path saw them, before, during or
after an outage.
A user agent may hold any character, ':' too, so the event names it by a hex digest and the
agent itself is the value of the field `agent:<id>`.
The same call keeps "right now" (live.py): per minute, a HyperLogLog of each article's
readers and the set of articles read, and a tally of counted views by source, all expiring
after half an hour.
`popularity_flush` renames the live hash to `<prefix>:batch:<uuid>` (atomic) and writes it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import redis
from django.conf import settings

from ..models import Source
from .origin import Origin

_RECORD_LUA = """
redis.call('PFADD', KEYS[4], ARGV[8])
redis.call('EXPIRE', KEYS[4], ARGV[10])
redis.call('SADD', KEYS[5], ARGV[9])
redis.call('EXPIRE', KEYS[5], ARGV[10])
if tonumber(ARGV[1]) > 0 then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
if n > tonumber(ARGV[3]) then return 0 end
local seen = redis.call('HGET', KEYS[3], ARGV[4])
if seen then seen = seen .. ' ' .. ARGV[7] else seen = ARGV[7] end
redis.call('HSET', KEYS[3], ARGV[4], seen)
redis.call('HSETNX', KEYS[3], 'agent:' .. ARGV[5], ARGV[6])
redis.call('HSETNX', KEYS[3], 'origin:' .. ARGV[11], ARGV[12])
local source = ARGV[13]
local full = redis.call('HLEN', KEYS[6]) >= tonumber(ARGV[14])
if full and redis.call('HEXISTS', KEYS[6], source) == 0 then source = ARGV[15] end
redis.call('HINCRBY', KEYS[6], source, 1)
redis.call('EXPIRE', KEYS[6], ARGV[10])
return 1
"""
# Seen-set keys outlive their day by a margin, then vanish on their own.
_SEEN_TTL_SECONDS = 2 * 24 * 3600
# "Right now": one key set per minute, kept a little longer than the widest window.
LIVE_WINDOW_MINUTES = 30
_LIVE_TTL_SECONDS = (LIVE_WINDOW_MINUTES + 1) * 60
# Distinct sources one minute's tally keeps; the rest is "Other" (forged referrers).
_LIVE_SOURCES_MAX = 100
# An origin's fields in the buffer, joined by a character none of them can hold.
_ORIGIN_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class BufferedView:
    """One view that passed Redis's pre-filter: the flush decides whether it counts."""

    article_id: int
    day: date
    reader: int
    agent: str
    at: datetime
    # None for views buffered before origins were kept: counted, but in no breakdown.
    origin: Origin | None = None
    # The article whose page linked here (its referrer): "read A, then B".
    from_article_id: int | None = None


@dataclass(frozen=True)
class BufferedBatch:
    batch_id: str
    key: str
    views: list[BufferedView] = field(default_factory=list)
    # Batches written before views were kept one by one hold only sums: (article, day) ->
    # (views, readers) and (article, day, user agent) -> views, already decided by Redis.
    counts: dict[tuple[int, date], tuple[int, int]] = field(default_factory=dict)
    agents: dict[tuple[int, date, str], int] = field(default_factory=dict)


def agent_id(agent: str) -> str:
    """A short name for a user agent that cannot contain ':' (16 hex digits)."""
    return hashlib.blake2b(agent.encode(), digest_size=8).hexdigest()


def _origin_text(origin: Origin) -> str:
    return _ORIGIN_SEPARATOR.join((origin.source, origin.medium, origin.campaign, origin.country))


def _origin_from_text(text: str) -> Origin:
    source, medium, campaign, country = text.split(_ORIGIN_SEPARATOR)
    return Origin(source=source, medium=medium, campaign=campaign, country=country)


def live_minute(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def _epoch_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


class RedisViewBuffer:
    errors = (redis.RedisError,)

    def __init__(self, url: str, prefix: str):
        # Short timeouts: a slow Redis must not hold up the page being served.
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix
        self._record = self.client.register_script(_RECORD_LUA)

    @property
    def live_key(self) -> str:
        return f"{self.prefix}:buffer"

    def minute_keys(self, minute: int) -> tuple[str, str]:
        """That minute's set of articles read, and its tally of views by source."""
        return f"{self.prefix}:live:{minute}", f"{self.prefix}:live:{minute}:sources"

    def readers_key(self, minute: int, article_id: int) -> str:
        """That minute's readers of an article: a HyperLogLog, which estimates how many
        distinct readers it was given and cannot give any of them back."""
        return f"{self.prefix}:live:{minute}:{article_id}"

    def _reader_keys(self, day: date, reader: int) -> tuple[str, str]:
        return (
            f"{self.prefix}:gap:{day.isoformat()}:{reader}",
            f"{self.prefix}:seen:{day.isoformat()}:{reader}",
        )

    def record(
        self,
        *,
        article_id: int,
        day: date,
        reader: int,
        agent: str,
        origin: Origin,
        at: datetime,
        repeat_after: timedelta,
        max_views: int,
        from_article_id: int | None = None,
    ) -> bool:
        """Buffer one view; False when the pre-filter already knows it cannot count.

        One call also marks the reader as reading the article this minute (a reload too)
        and, when the view passes, adds it to this minute's tally of sources.
        """
        agent_key = agent_id(agent)
        origin_text = _origin_text(origin)
        origin_key = agent_id(origin_text)
        minute = live_minute(at)
        articles_key, sources_key = self.minute_keys(minute)
        event = f"{_epoch_ms(at)}/{origin_key}"
        if from_article_id is not None and from_article_id != article_id:
            event += f"/{from_article_id}"
        args: list[str | int] = [
            int(repeat_after.total_seconds()),
            _SEEN_TTL_SECONDS,
            max_views,
            f"r:{article_id}:{day.isoformat()}:{reader}:{agent_key}",
            agent_key,
            agent,
            event,
            reader,
            article_id,
            _LIVE_TTL_SECONDS,
            origin_key,
            origin_text,
            origin.source,
            _LIVE_SOURCES_MAX,
            Source.OTHER,
        ]
        keys = [
            *self._reader_keys(day, reader),
            self.live_key,
            self.readers_key(minute, article_id),
            articles_key,
            sources_key,
        ]
        return bool(self._record(keys=keys, args=args))

    def seal(self) -> None:
        """Move the live counts into a new batch; views arriving meanwhile start a new hash."""
        try:
            self.client.rename(self.live_key, f"{self.prefix}:batch:{uuid.uuid4().hex}")
        except redis.ResponseError as error:  # nothing buffered since the last flush
            if "no such key" not in str(error).lower():
                raise

    def pending(self) -> list[BufferedBatch]:
        """Every sealed batch, including any a failed earlier flush left behind."""
        batches = []
        for raw_key in self.client.scan_iter(match=f"{self.prefix}:batch:*", count=100):
            key = _text(raw_key)
            fields = {_text(k): _text(v) for k, v in self.client.hgetall(key).items()}
            batches.append(_parse_batch(key, fields))
        return batches

    def discard(self, batch: BufferedBatch) -> None:
        self.client.delete(batch.key)

    def reader_reset(
        self, *, day: date, reader: int, views: int, last_counted_at: datetime, repeat_after
    ) -> None:
        """Make the pre-filter agree with what the flush decided for a reader (it had let
        through views that PostgreSQL had already counted on the other path)."""
        gap, seen = self._reader_keys(day, reader)
        gap_left_ms = _epoch_ms(last_counted_at + repeat_after) - _epoch_ms(datetime.now(UTC))
        pipe = self.client.pipeline(transaction=False)
        pipe.set(seen, views, ex=_SEEN_TTL_SECONDS)
        if gap_left_ms > 0:
            pipe.set(gap, "1", px=gap_left_ms)
        else:
            pipe.delete(gap)
        pipe.execute()

    def ping(self) -> bool:
        return bool(self.client.ping())


def _text(value: bytes | str) -> str:
    # The client is made without decode_responses: Redis hands back bytes.
    return value.decode() if isinstance(value, bytes) else value


def _event_parts(token: str) -> tuple[str, str, str]:
    """(epoch ms, origin id, from article) of one buffered view; "" for what it lacks."""
    ms, _, rest = token.partition("/")
    origin, _, from_article = rest.partition("/")
    return ms, origin, from_article


def _parse_batch(key: str, fields: dict[str, str]) -> BufferedBatch:
    names = {k.removeprefix("agent:"): v for k, v in fields.items() if k.startswith("agent:")}
    origins = {
        k.removeprefix("origin:"): _origin_from_text(v)
        for k, v in fields.items()
        if k.startswith("origin:")
    }
    views: list[BufferedView] = []
    counts: dict[tuple[int, date], list[int]] = {}
    by_agent: dict[tuple[int, date, str], int] = {}
    for name, value in fields.items():
        if name.startswith(("agent:", "origin:")):
            continue
        if name.startswith("r:"):
            _, article, day, reader, agent = name.split(":")
            views.extend(
                BufferedView(
                    article_id=int(article),
                    day=date.fromisoformat(day),
                    reader=int(reader),
                    # The script writes an agent's name with its first view: never missing.
                    agent=names[agent],
                    at=datetime.fromtimestamp(int(ms) / 1000, tz=UTC),
                    origin=origins.get(origin) if origin else None,
                    from_article_id=int(from_article) if from_article else None,
                )
                for ms, origin, from_article in (_event_parts(token) for token in value.split())
            )
            continue
        article, day, kind, *rest = name.split(":")  # a batch from before events
        if kind == "a":
            by_agent[(int(article), date.fromisoformat(day), names[rest[0]])] = int(value)
            continue
        slot = counts.setdefault((int(article), date.fromisoformat(day)), [0, 0])
        slot[0 if kind == "v" else 1] += int(value)
    return BufferedBatch(
        batch_id=key.rsplit(":", 1)[1],
        key=key,
        views=views,
        counts={k: (v, u) for k, (v, u) in counts.items()},
        agents=by_agent,
    )


@lru_cache(maxsize=4)
def _buffer_for(url: str, prefix: str) -> RedisViewBuffer:
    return RedisViewBuffer(url, prefix)


def get_buffer() -> RedisViewBuffer | None:
    """The configured buffer, or None to write straight to PostgreSQL."""
    if not settings.REDIS_URL:
        return None
    return _buffer_for(settings.REDIS_URL, settings.POPULARITY_REDIS_PREFIX)
