# Shared by demo.sh and bench.sh: a work folder, processes stopped on exit, waiting for a
# simulator's ready file. Source it; it sets WORK and PIDS.
WORK=$(mktemp -d /tmp/steps-run.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_ready() { # ready-file
  for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done
  echo "$(basename "$0"): a simulator did not start" >&2
  exit 1
}
