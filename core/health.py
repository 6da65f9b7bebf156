"""Probes for the orchestrator: /healthz (the process answers), /readyz (it can serve)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not pending else f"{len(pending)} migration(s) not applied"


def _check_cache() -> str:
    cache.set("readyz-probe", "1", 5)
    return "ok" if cache.get("readyz-probe") == "1" else "cache did not return what was stored"


@never_cache
@require_safe
def readyz(request) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("cache", _check_cache)):
        try:
            checks[name] = check()
        except (DatabaseError, OSError, ConnectionError) as exc:
            logger.warning("readiness check %s failed: %s", name, exc)
            checks[name] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )
