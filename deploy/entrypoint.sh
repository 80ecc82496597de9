#!/usr/bin/env bash
# Container entrypoint (platform.md §9.1): prepare directories, wait for the database, migrate,
# then exec the server (or the command given as arguments, e.g. `jutsu db backup`).
#
# It refuses to start when the data directories are not writable or the migration fails: a
# server running on a half-migrated schema corrupts data quietly, a stopped one is noticed.
#
# Environment (all optional): JUTSU_HOME (default: the working directory), JUTSU_HOST (0.0.0.0),
# JUTSU_PORT (8000), DB_WAIT_TIMEOUT (seconds, 60), JUTSU_BIN (directory of the jutsu/python
# executables; default: whatever is on PATH). Database settings: see .env.example.
set -euo pipefail

log() { printf '%s | entrypoint | %s | %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S%z)" "$1" "$2" >&2; }

home="${JUTSU_HOME:-$PWD}"
bin="${JUTSU_BIN:+${JUTSU_BIN%/}/}"
cd "$home"

for dir in data logs data/backups; do
  mkdir -p "$dir" 2>/dev/null || true
  if [ ! -d "$dir" ] || [ ! -w "$dir" ]; then
    log ERROR "$home/$dir is not writable by uid $(id -u); fix the volume's ownership"
    exit 1
  fi
done

log INFO "waiting for the database (timeout ${DB_WAIT_TIMEOUT:-60} s)"
if ! "${bin}python" -m jutsu.ops.waitdb --timeout "${DB_WAIT_TIMEOUT:-60}"; then
  log ERROR "database not reachable; refusing to start"
  exit 1
fi

log INFO "migrating the database schema (jutsu db upgrade)"
if ! "${bin}jutsu" db upgrade; then
  log ERROR "database migration failed; refusing to start"
  exit 1
fi

if [ "$#" -gt 0 ]; then
  log INFO "starting: $*"
  exec "$@"
fi
log INFO "starting the server on ${JUTSU_HOST:-0.0.0.0}:${JUTSU_PORT:-8000}"
exec "${bin}jutsu" serve --host "${JUTSU_HOST:-0.0.0.0}" --port "${JUTSU_PORT:-8000}"
