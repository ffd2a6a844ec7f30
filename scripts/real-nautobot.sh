#!/usr/bin/env bash
# A real Nautobot on loopback for the integration tests: PostgreSQL 15, Redis and Nautobot from
# PyPI, all under one state folder. `up` starts everything (migrating once; later runs restore a
# dump of the migrated database), `down` stops it, `env` prints the variables the tests read.
#
#   scripts/real-nautobot.sh up      # about 5 minutes the first time, about 30 s after
#   scripts/real-nautobot.sh down
#
# PostgreSQL refuses to run as root, so as root its commands run as the `postgres` user.
set -euo pipefail

STATE=${NAUTOBOT_STATE:-/tmp/nautobot-real}
VENV=${NAUTOBOT_VENV:-/opt/nautobot-venv}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=${NAUTOBOT_PG_PORT:-5433}
REDIS_PORT=${NAUTOBOT_REDIS_PORT:-6380}
WEB_PORT=${NAUTOBOT_WEB_PORT:-8080}
TOKEN=${NAUTOBOT_REAL_TOKEN:-0123456789abcdef0123456789abcdef01234567}
# The token `firmware-plan --record` is tested with: exactly the permissions the README lists.
RECORD_TOKEN=${NAUTOBOT_REAL_RECORD_TOKEN:-fedcba9876543210fedcba9876543210fedcba98}
VERSION=${NAUTOBOT_VERSION:-3.2.7}

export NAUTOBOT_ROOT="$STATE/root"
export NAUTOBOT_CONFIG="$NAUTOBOT_ROOT/nautobot_config.py"
export NAUTOBOT_DB_HOST=127.0.0.1 NAUTOBOT_DB_PORT=$PG_PORT NAUTOBOT_DB_NAME=nautobot
export NAUTOBOT_DB_USER=postgres NAUTOBOT_DB_PASSWORD=unused
export NAUTOBOT_REDIS_HOST=127.0.0.1 NAUTOBOT_REDIS_PORT=$REDIS_PORT
export NAUTOBOT_ALLOWED_HOSTS='*' NAUTOBOT_SECRET_KEY=integration-tests-only-not-a-secret-0123456789
export NAUTOBOT_INSTALLATION_METRICS_ENABLED=False

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

log() { printf 'real-nautobot: %s\n' "$*" >&2; }

wait_for() { # url seconds
  local i
  for ((i = 0; i < $2 * 2; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

install_venv() {
  if [ ! -x "$VENV/bin/nautobot-server" ]; then
    log "installing nautobot==$VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "nautobot==$VERSION"
  fi
}

start_postgres() {
  mkdir -p "$STATE/pgsock"
  if [ ! -f "$STATE/pg/PG_VERSION" ]; then
    mkdir -p "$STATE/pg"
    [ "$(id -u)" = 0 ] && chown -R postgres "$STATE/pg" "$STATE/pgsock"
    as_pg "$PG_BIN/initdb" -D "$STATE/pg" -A trust -U postgres >/dev/null
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres "$STATE/pg" "$STATE/pgsock"
  as_pg "$PG_BIN/pg_ctl" -D "$STATE/pg" -l "$STATE/pg/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $STATE/pgsock -c fsync=off" start >/dev/null
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='nautobot'" | grep -q 1 ||
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres nautobot
}

start_redis() {
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
    --dir "$STATE" --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
}

migrate() {
  local dump="$STATE/migrated.dump"
  mkdir -p "$NAUTOBOT_ROOT"
  [ -f "$NAUTOBOT_CONFIG" ] || "$VENV/bin/nautobot-server" init --disable-installation-metrics "$NAUTOBOT_CONFIG" >/dev/null
  if [ -f "$dump" ] && [ ! -f "$STATE/migrated" ]; then
    log "restoring the migrated database"
    as_pg "$PG_BIN/pg_restore" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d nautobot "$dump"
    touch "$STATE/migrated"
  fi
  if [ ! -f "$STATE/migrated" ]; then
    log "migrating (about 5 minutes)"
    "$VENV/bin/nautobot-server" migrate --no-input >"$STATE/migrate.log" 2>&1
    DJANGO_SUPERUSER_PASSWORD=admin "$VENV/bin/nautobot-server" createsuperuser --no-input \
      --username admin --email admin@example.invalid >>"$STATE/migrate.log" 2>&1
    "$VENV/bin/nautobot-server" nbshell --command "
from nautobot.users.models import Token, User
Token.objects.get_or_create(user=User.objects.get(username='admin'), key='$TOKEN')
" >>"$STATE/migrate.log" 2>&1
    as_pg "$PG_BIN/pg_dump" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Fc nautobot >"$dump.tmp"
    mv "$dump.tmp" "$dump"
    touch "$STATE/migrated"
  fi
}

# A user with only what firmware-plan (and its --record) needs, and its token (idempotent).
record_user() {
  "$VENV/bin/nautobot-server" nbshell --command "
from django.contrib.contenttypes.models import ContentType
from nautobot.users.models import ObjectPermission, Token, User
user, _ = User.objects.get_or_create(username='firmware-recorder')
Token.objects.get_or_create(user=user, key='$RECORD_TOKEN')
grants = {
    'view': ['dcim.device', 'dcim.devicetype', 'dcim.softwareimagefile', 'dcim.softwareversion', 'dcim.platform',
             'extras.status', 'dcim.inventoryitem', 'extras.note'],
    'add': ['dcim.platform', 'dcim.softwareversion', 'dcim.inventoryitem', 'extras.note'],
    'change': ['dcim.inventoryitem'],
}
for action, models in grants.items():
    permission, _ = ObjectPermission.objects.get_or_create(name='firmware-record-' + action, defaults={'actions': [action]})
    permission.actions = [action]
    permission.save()
    permission.object_types.set([ContentType.objects.get_by_natural_key(*model.split('.')) for model in models])
    permission.users.set([user])
" >>"$STATE/record-user.log" 2>&1 || { tail -20 "$STATE/record-user.log" >&2; exit 1; }
}

start_web() {
  nohup "$VENV/bin/nautobot-server" start --http="127.0.0.1:$WEB_PORT" --http-keepalive=1 \
    --processes=2 --threads=2 --master --die-on-term --pidfile="$STATE/web.pid" \
    >"$STATE/web.log" 2>&1 &
  wait_for "http://127.0.0.1:$WEB_PORT/health/" 120 || { tail -20 "$STATE/web.log" >&2; exit 1; }
}

case "${1:-}" in
up)
  install_venv
  mkdir -p "$STATE"
  start_postgres
  start_redis
  migrate
  record_user
  start_web
  log "ready at http://127.0.0.1:$WEB_PORT"
  ;;
down)
  if [ -f "$STATE/web.pid" ]; then
    pid=$(cat "$STATE/web.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$STATE/web.pid"
  fi
  [ -f "$STATE/redis.pid" ] && kill "$(cat "$STATE/redis.pid")" 2>/dev/null || true
  [ -f "$STATE/pg/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$STATE/pg" -w stop -m fast >/dev/null || true
  ;;
record-user)
  record_user
  ;;
env)
  echo "NAUTOBOT_REAL_URL=http://127.0.0.1:$WEB_PORT"
  echo "NAUTOBOT_REAL_TOKEN=$TOKEN"
  echo "NAUTOBOT_REAL_RECORD_TOKEN=$RECORD_TOKEN"
  ;;
*)
  echo "usage: $0 up|down|env|record-user" >&2
  exit 64
  ;;
esac
