#!/usr/bin/env bash
# `make demo`: the steps end to end on this machine, against the simulators. Starts what it
# needs, shows each step's command, output file and exit status, and stops everything it started.
set -euo pipefail
BIN=${1:?usage: demo.sh BIN_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/steps-demo.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_ready() { # file
  for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done
  echo "demo: a simulator did not start" >&2; exit 1
}

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }

export NAUTOBOT_TOKEN=demo0token0$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
"$BIN/simulator" nautobot --inventory "$ROOT/fixtures/nautobot-inventory.json" --token "$NAUTOBOT_TOKEN" \
  --tls-dir "$WORK/nautobot-tls" --ready-file "$WORK/nautobot.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/nautobot.url"
export NAUTOBOT_URL=$(cat "$WORK/nautobot.url") NAUTOBOT_CA_FILE="$WORK/nautobot-tls/ca.pem"
echo "Nautobot simulator at $NAUTOBOT_URL (TLS, its own CA); inventory fixtures/nautobot-inventory.json"

step() { # name args...
  local name=$1; shift
  local out="$WORK/outputs/$name-$RANDOM"
  bold "\$ $name $*"
  set +e
  OUTPUTS_DIR=$out "$BIN/$name" "$@" 2>&1 | sed 's/^/  /' | cut -c1-200
  local status=${PIPESTATUS[0]}
  set -e
  for f in "$out"/*; do [ -f "$f" ] && printf '  output %s: %s\n' "$(basename "$f")" "$(head -c 120 "$f")"; done
  echo "  exit $status"
}

step get-obm-ip --hostname host1.domain.local
step get-obm-ip --hostname host2.domain.local
step get-obm-ip --hostname 'a b&c'
step get-device-nautobot --hostname x+y.domain.local
step nautobot-api --uri '/dcim/devices/?limit=4' --all-pages
bold "Failures say what to do, in one line, with the contract's exit status:"
step get-obm-ip --hostname host3.domain.local
step get-obm-ip --hostname dup.domain.local
NAUTOBOT_TOKEN=not-the-token step get-obm-ip --hostname host1.domain.local
NAUTOBOT_URL=https://127.0.0.1:9 LOG_LEVEL=warning step get-obm-ip --hostname host1.domain.local
echo
