#!/usr/bin/env bash
# Start the development server, and a Celery worker with an embedded beat when a broker is set.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${CELERY_BROKER_URL:-}" ]; then
  .venv/bin/celery -A clinic worker --beat --schedule var/celerybeat-schedule --loglevel=INFO --concurrency=2 &
  worker=$!
  trap 'kill "$worker" 2>/dev/null || true' EXIT
fi
.venv/bin/python manage.py runserver 127.0.0.1:8000
