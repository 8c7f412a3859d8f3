#!/usr/bin/env bash
# Make sure what the tests need is on this machine and running: PostgreSQL, Redis, Debian's
# Chromium (for Playwright), poppler-utils (PDF to PNG), gettext (translations) and fonts that
# cover accents and non-Latin scripts. Installs from Debian's packages when run as root;
# idempotent and quick when everything is already there.
set -euo pipefail

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v pg_config >/dev/null 2>&1 || need+=(libpq-dev)
# HarfBuzz's subsetter: WeasyPrint embeds font subsets with it in milliseconds; without it,
# WeasyPrint falls back to fontTools, about 0.6 s slower per summary PDF. (grep reads all of
# ldconfig's output: with -q it could stop early, and pipefail would see ldconfig's SIGPIPE.)
ldconfig -p 2>/dev/null | grep libharfbuzz-subset >/dev/null || need+=(libharfbuzz-subset0)
# msgfmt, for `manage.py compilemessages` (the French emails and patient pages).
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${need[*]}. Install them (apt-get install ${need[*]}) and retry." >&2
    exit 1
  fi
  echo "Installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
# A freshly installed cluster asks for a password on TCP: give the postgres role the one the
# test URL uses. On machines with trust auth this changes nothing that matters.
if [ "$(id -u)" -eq 0 ] && ! psql "postgres://postgres:postgres@127.0.0.1:5432/postgres" -qAtc "select 1" >/dev/null 2>&1; then
  su postgres -c "psql -qc \"ALTER ROLE postgres PASSWORD 'postgres'\"" >/dev/null
fi

# The database the app itself uses under `make test`/CI (tests create their own test_ copy).
if ! psql "postgres://postgres:postgres@127.0.0.1:5432/postgres" -qAtc "select 1 from pg_database where datname = 'mesoclinic'" 2>/dev/null | grep -q 1; then
  psql "postgres://postgres:postgres@127.0.0.1:5432/postgres" -qc "CREATE DATABASE mesoclinic" >/dev/null
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
