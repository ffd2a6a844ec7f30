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

fleet_cluster_objects() { # nautobot-url token bmc-fleet-ready-file → the fleet's ConfigMaps and Secrets (JSON)
  local routes
  routes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["connectTo"])' "$3")
  cat <<JSON
[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nautobot", "namespace": "argo-events"},
  "data": {"url": "$1", "obm-interface-names": "iDRAC,iLO,BMC"}},
 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "nautobot-token", "namespace": "argo-events"},
  "stringData": {"token": "$2", "bearer_token": "Token $2"}},
 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "obm-settings", "namespace": "argo-events"},
  "data": {"creds-source": "secret", "connect-to": "$routes"}},
 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "obm-legacy-passwords", "namespace": "argo-events"},
  "stringData": {"passwords": "[\"calvin\"]"}},
 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "obm-creds", "namespace": "argo-events"},
  "stringData": {"username": "root", "password": "Record-Passw0rd-2026"}}]
JSON
}

# For the benchmark scripts (they set RUNS).
stats() { # file of numbers → "median (min–max)"
  python3 - "$1" <<'PY'
import statistics, sys
values = sorted(float(v) for v in open(sys.argv[1]).read().split())
print("%s %s %s" % (statistics.median(values), values[0], values[-1]))
PY
}

measure() { # label command → writes $WORK/<label>.time (s, from hyperfine) and .rss (KiB)
  local label=$1 command=$2
  hyperfine --runs "$RUNS" --warmup 2 --style none --export-json "$WORK/$label.json" "$command" >/dev/null 2>"$WORK/err" ||
    { cat "$WORK/err" >&2; exit 1; }
  python3 -c 'import json,sys; print("\n".join(str(t) for t in json.load(open(sys.argv[1]))["results"][0]["times"]))' \
    "$WORK/$label.json" >"$WORK/$label.time"
  : >"$WORK/$label.rss"
  for _ in $(seq "$RUNS"); do
    # exec: the figure is the program's own peak, not a shell's.
    /usr/bin/time -f '%M' -o "$WORK/one" bash -c "exec $command" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    cat "$WORK/one" >>"$WORK/$label.rss"
  done
}
