#!/bin/sh
# Runs the periodic management commands. Intervals are in seconds; every command is
# idempotent, so a restart of this container never double-counts or loses work.
set -u
tick=0
while true; do
  # Each command that exists in this version is run; failures are logged and retried next tick.
  python manage.py clearsessions >/dev/null 2>&1 || echo "scheduler: clearsessions failed"
  sleep 60
  tick=$((tick + 1))
done
