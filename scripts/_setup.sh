# Shared set-up for scripts/run and scripts/test; sourced, not run.
# Creates .venv, installs the pinned requirements when they change, and makes sure
# DATABASE_URL points at PostgreSQL: the one given, or a private embedded server.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY=python3.11
command -v "$PY" >/dev/null 2>&1 || PY=python3
VENV="$ROOT/.venv"

if [ ! -x "$VENV/bin/python" ]; then
  echo "» creating .venv"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "» installing pinned requirements into .venv (a minute or two the first time; quiet unless it fails)"
  # pip's log is shown only when the install fails (this machine's mirrors warn a lot).
  if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r requirements-dev.txt >"$VENV/pip-install.log" 2>&1; then
    cat "$VENV/pip-install.log"
    exit 1
  fi
  echo "$want" >"$stamp"
fi
export PATH="$VENV/bin:$PATH"

STARTED_EMBEDDED_DB=0
if [ -z "${DATABASE_URL:-}" ]; then
  if ! python scripts/devdb.py status >/dev/null 2>&1; then
    STARTED_EMBEDDED_DB=1
  fi
  DATABASE_URL=$(python scripts/devdb.py start "${EMBEDDED_DB_NAME:-happyinnerself}")
  export DATABASE_URL
  echo "» using the embedded PostgreSQL under .data/postgres"
else
  echo "» using DATABASE_URL"
fi

stop_embedded_db() {
  # Stop the private server only if this command started it, so a running site keeps its database.
  if [ "$STARTED_EMBEDDED_DB" = 1 ]; then
    python scripts/devdb.py stop >/dev/null || true
  fi
}
