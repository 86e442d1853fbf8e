#!/bin/sh
# The image's entry point (deploy/Dockerfile).
#   web        apply the migrations and create the cache table (unless MIGRATE_ON_START=false),
#              then run gunicorn
#   worker     the job worker (mail delivery, ZIP bundles)
#   scheduler  send_queued_mail and expire_registrations every 5 minutes, send_deadline_reminders,
#              complete_experiment_cycles and send_report_reminders once a day after 08:00 Beijing
#              time (what the systemd timers do on a server); run exactly one
#   manage ... any manage.py command, e.g. `manage createsuperuser`
#   anything else is run as it is
set -eu
cd /app

case "${1:-web}" in
  web)
    if [ "${MIGRATE_ON_START:-true}" = "true" ]; then
      python manage.py migrate --noinput
      # The cache table of CACHE_URL=dbcache://… (the mail limits' counts); nothing for other caches.
      python manage.py createcachetable
    fi
    exec gunicorn -c /app/deploy/gunicorn.conf.py
    ;;
  worker)
    exec python manage.py db_worker --queue-name '*' --no-reload
    ;;
  scheduler)
    last_reminder_day=""
    while true; do
      python manage.py send_queued_mail || echo "scheduler: send_queued_mail failed" >&2
      python manage.py expire_registrations || echo "scheduler: expire_registrations failed" >&2
      today=$(python -c 'from datetime import datetime; from zoneinfo import ZoneInfo; n = datetime.now(ZoneInfo("Asia/Shanghai")); print(n.strftime("%Y-%m-%d") if n.hour >= 8 else "")')
      if [ -n "$today" ] && [ "$today" != "$last_reminder_day" ]; then
        # Never twice for the same deadline or report, so a restart that runs them again does no
        # harm; each runs whether the other failed, and a failed one is tried again in 5 minutes.
        reminded=true
        python manage.py send_deadline_reminders || { reminded=false; echo "scheduler: send_deadline_reminders failed" >&2; }
        # Cycles that are over are completed first, so that a 实验校 已结项 today is not reminded.
        python manage.py complete_experiment_cycles || { reminded=false; echo "scheduler: complete_experiment_cycles failed" >&2; }
        python manage.py send_report_reminders || { reminded=false; echo "scheduler: send_report_reminders failed" >&2; }
        if [ "$reminded" = true ]; then
          last_reminder_day="$today"
        fi
      fi
      sleep 300
    done
    ;;
  manage)
    shift
    exec python manage.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
