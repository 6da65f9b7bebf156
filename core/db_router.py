"""Public reads may go to a read replica; every write, and everything staff do, to the primary.

Only active when DATABASE_REPLICA_URL is set. Staff and the admin read from the primary so
they always see what they just saved; readers can live with a replica a moment behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reads_from_replica: ContextVar[bool] = ContextVar("reads_from_replica", default=False)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read from the primary inside this block, even in a reader's request: for work that
    reads what it has just written (or locks rows), such as a write a page view triggers."""
    token = _reads_from_replica.set(False)
    try:
        yield
    finally:
        _reads_from_replica.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _reads_from_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same data, so objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == "default"


class ReplicaReadsMiddleware:
    """Marks anonymous GET/HEAD requests outside the admin as safe to serve from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(f"/{settings.ADMIN_URL}")
            and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        )
        token = _reads_from_replica.set(public)
        try:
            return self.get_response(request)
        finally:
            _reads_from_replica.reset(token)
