#!/bin/sh
# The periodic management commands, in one loop. Each command is idempotent, so a restart
# of this container never double-counts or loses work.
#   every POPULARITY_FLUSH_INTERVAL_SECONDS (60): move buffered view counts from Redis into
#     PostgreSQL (this interval is the most counting a crash can lose), delete past salts,
#     the user agent counts older than POPULARITY_AGENT_RETENTION_DAYS and the site
#     searches older than POPULARITY_SEARCH_RETENTION_DAYS; put live the
#     scheduled article updates that are due (a request does it first when readers visit)
#   every hour: delete expired sessions; send last week's e-mail digest to the site owners
#     (popularity_digest records each week it sends, so it goes out once, early on Monday,
#     however often this runs or restarts)
set -u
interval=${POPULARITY_FLUSH_INTERVAL_SECONDS:-60}
last_hourly=0
while true; do
  python manage.py popularity_flush || echo "scheduler: popularity_flush failed, retrying next round"
  python manage.py popularity_rotate_salts || echo "scheduler: popularity_rotate_salts failed"
  python manage.py apply_scheduled_updates || echo "scheduler: apply_scheduled_updates failed"
  now=$(date +%s)
  if [ $((now - last_hourly)) -ge 3600 ]; then
    python manage.py clearsessions || echo "scheduler: clearsessions failed"
    python manage.py popularity_digest || echo "scheduler: popularity_digest failed, retrying next hour"
    last_hourly=$now
  fi
  sleep "$interval"
done
