"""Optional Redis buffer for view counts (used when REDIS_URL is set).

A counted view is one atomic Lua call: it applies the counting rule on short-lived keys
(`<prefix>:gap:<day>:<reader>`, `<prefix>:seen:<day>:<reader>`, both expiring) and adds to
the live hash `<prefix>:buffer`, field `<article>:<day>` → "v" views / "u" readers.
Views per user agent go to the same hash (so the same rename seals them): a user agent may
hold any character, ':' too, so its field is `<article>:<day>:a:<id>`, where `<id>` is a
hex digest of the agent, and the agent itself is the value of the field `agent:<id>`.
`popularity_flush` renames the live hash to `<prefix>:batch:<uuid>` (atomic) and writes it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

import redis
from django.conf import settings

if TYPE_CHECKING:
    from .services import CountingRule

_RECORD_LUA = """
if tonumber(ARGV[1]) > 0 then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
if n > tonumber(ARGV[3]) then return 0 end
redis.call('HINCRBY', KEYS[3], ARGV[4] .. ':v', 1)
if n == 1 then redis.call('HINCRBY', KEYS[3], ARGV[4] .. ':u', 1) end
redis.call('HINCRBY', KEYS[3], ARGV[4] .. ':a:' .. ARGV[5], 1)
redis.call('HSETNX', KEYS[3], 'agent:' .. ARGV[5], ARGV[6])
return 1
"""
# Seen-set keys outlive their day by a margin, then vanish on their own.
_SEEN_TTL_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class BufferedBatch:
    batch_id: str
    key: str
    counts: dict[tuple[int, date], tuple[int, int]]  # (article, day) -> (views, readers)
    # (article, day, user agent) -> views
    agents: dict[tuple[int, date, str], int] = field(default_factory=dict)


def agent_id(agent: str) -> str:
    """A short name for a user agent that cannot contain ':' (16 hex digits)."""
    return hashlib.blake2b(agent.encode(), digest_size=8).hexdigest()


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

    def record(
        self, *, article_id: int, day: date, reader: int, agent: str, rule: CountingRule
    ) -> bool:
        gap_seconds = int(rule.repeat_after.total_seconds())
        keys = [
            f"{self.prefix}:gap:{day.isoformat()}:{reader}",
            f"{self.prefix}:seen:{day.isoformat()}:{reader}",
            self.live_key,
        ]
        args = [
            gap_seconds,
            _SEEN_TTL_SECONDS,
            rule.max_views,
            f"{article_id}:{day.isoformat()}",
            agent_id(agent),
            agent,
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
            key = raw_key.decode()
            counts: dict[tuple[int, date], list[int]] = {}
            by_agent: dict[tuple[int, date, str], int] = {}
            names: dict[str, str] = {}
            for raw_field, raw_value in self.client.hgetall(key).items():
                name, value = raw_field.decode(), raw_value.decode()
                if name.startswith("agent:"):
                    names[name.removeprefix("agent:")] = value
                    continue
                article, day, kind, *agent = name.split(":")
                if kind == "a":
                    by_agent[(int(article), date.fromisoformat(day), agent[0])] = int(value)
                    continue
                slot = counts.setdefault((int(article), date.fromisoformat(day)), [0, 0])
                slot[0 if kind == "v" else 1] += int(value)
            batches.append(
                BufferedBatch(
                    batch_id=key.rsplit(":", 1)[1],
                    key=key,
                    counts={k: (v, u) for k, (v, u) in counts.items()},
                    # The script writes an agent's name with its first count: never missing.
                    agents={(a, d, names[g]): v for (a, d, g), v in by_agent.items()},
                )
            )
        return batches

    def discard(self, batch: BufferedBatch) -> None:
        self.client.delete(batch.key)

    def ping(self) -> bool:
        return bool(self.client.ping())


@lru_cache(maxsize=4)
def _buffer_for(url: str, prefix: str) -> RedisViewBuffer:
    return RedisViewBuffer(url, prefix)


def get_buffer() -> RedisViewBuffer | None:
    """The configured buffer, or None to write straight to PostgreSQL."""
    if not settings.REDIS_URL:
        return None
    return _buffer_for(settings.REDIS_URL, settings.POPULARITY_REDIS_PREFIX)
