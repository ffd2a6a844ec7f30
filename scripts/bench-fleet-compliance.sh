#!/usr/bin/env bash
# The firmware fleets over the 50-host rack under steps-runner, with release binaries: the
# compliance fleet on a Nautobot that has no record of the rack yet, the same again once it has
# (nothing left to write), then the update fleet from the plans. Wall time, the API requests
# Nautobot served, and the size of the Workflow's node status (raw and gzip, per host): what the
# plans add to what a controller must keep. Each round gets a fresh rack, Nautobot and cluster.
# Prints a BENCHMARKS.md section.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RELEASE=${1:?usage: bench-fleet-compliance.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
SIMULATORS=${2:?usage: bench-fleet-compliance.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
ROUNDS=${FLEET_ROUNDS:-3}
source "$ROOT/scripts/lib.sh"

"$ROOT/scripts/fleet-images.sh" "$WORK/images"
"$SIMULATORS/simulator" files --directory "$WORK/images" --ready-file "$WORK/files.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/files.url"
TOKEN=fleet0token0$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')

round() { # n → lines "workflow seconds requests raw-bytes gzip-bytes"
  local dir="$WORK/round-$1"
  mkdir -p "$dir"
  "$SIMULATORS/simulator" nautobot --inventory "$ROOT/fixtures/fleet-inventory.json" --token "$TOKEN" \
    --image-server "$(cat "$WORK/files.url")" --tls-dir "$WORK/nautobot-tls" --ready-file "$dir/nautobot.url" >/dev/null &
  local nautobot=$!
  "$SIMULATORS/simulator" bmc-fleet --spec "$ROOT/fixtures/fleet-bmcs.json" --tls-dir "$WORK/fleet-tls" \
    --ready-file "$dir/fleet.json" >/dev/null &
  local fleet=$!
  wait_ready "$dir/nautobot.url"
  wait_ready "$dir/fleet.json"
  local nb
  nb=$(cat "$dir/nautobot.url")
  fleet_cluster_objects "$nb" "$TOKEN" "$dir/fleet.json" >"$dir/cluster.json"
  "$SIMULATORS/simulator" kubernetes --token "fleet-kube-$$" --objects "$dir/cluster.json" --tls-dir "$dir/kube-tls" \
    --kubeconfig-out "$dir/kubeconfig" --ready-file "$dir/kube.url" >/dev/null &
  local kube=$!
  wait_ready "$dir/kube.url"
  requests() { curl -s --cacert "$WORK/nautobot-tls/ca.pem" "$nb/_simulator/requests" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
  local label workflow before start end name
  for label in compliance-first compliance-again update; do
    workflow=$([ "$label" = update ] && echo obm-firmware-update-fleet || echo firmware-compliance-fleet)
    before=$(requests)
    start=$(date +%s.%N)
    KUBECONFIG=$dir/kubeconfig "$RELEASE/steps-runner" run "$workflow" --templates "$ROOT/workflowtemplates" --bin "$RELEASE" \
      -p location=DC3 -p failure-budget=50 --env "OBM_CA_FILE=$WORK/fleet-tls/ca.pem" \
      --env "NAUTOBOT_CA_FILE=$WORK/nautobot-tls/ca.pem" >"$dir/$label.txt" 2>&1 || true
    end=$(date +%s.%N)
    name=$(sed -n 's/^Name: *//p' "$dir/$label.txt")
    KUBECONFIG=$dir/kubeconfig kubectl get --raw "/apis/argoproj.io/v1alpha1/namespaces/argo-events/workflows/$name" >"$dir/$label.json"
    echo "$label $(python3 -c "print(round($end - $start, 1))") $(($(requests) - before)) $(python3 -c '
import gzip, json, sys
nodes = json.dumps(json.load(open(sys.argv[1]))["status"]["nodes"], separators=(",", ":")).encode()
print(len(nodes), len(gzip.compress(nodes)))' "$dir/$label.json")"
  done
  kill "$nautobot" "$fleet" "$kube" 2>/dev/null || true
  wait "$nautobot" "$fleet" "$kube" 2>/dev/null || true
}

for n in $(seq 1 "$ROUNDS"); do round "$n"; done >"$WORK/rounds.txt"

echo
echo "## Firmware fleets (steps-runner, 50 simulated hosts)"
echo
echo "firmware-compliance-fleet over fixtures/fleet-inventory.json (parallelism 10, budget 50), on a"
echo "Nautobot with no record of the rack (\"first\": every component's inventory item, platform and"
echo "software version made), then again (\"again\": nothing changed, nothing written), then"
echo "obm-firmware-update-fleet from the plans (8 iDRACs flashed, one refused for its checksum, one"
echo "failed task). $ROUNDS rounds, each on a fresh rack, Nautobot and cluster; median (min–max)."
echo "Nautobot requests: API requests the simulator served during the run. Node status: the"
echo "Workflow's \`status.nodes\` as published, per host (the plans are in it: the host's run and its"
echo "plan step each hold one)."
echo
echo "| run | wall s | Nautobot requests | node status KB per host | gzip KB per host |"
echo "|---|---|---|---|---|"
python3 - "$WORK/rounds.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, *values = line.split()
    rows.setdefault(label, []).append([float(v) for v in values])
def cell(values, scale=1.0, digits=1):
    values = [v / scale for v in values]
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"
names = {"compliance-first": "compliance, first record", "compliance-again": "compliance, again", "update": "update from the plans"}
for label in ("compliance-first", "compliance-again", "update"):
    runs = rows.get(label, [])
    if not runs:
        continue
    columns = list(zip(*runs))
    print(f"| {names[label]} | {cell(columns[0])} | {cell(columns[1], digits=0)} | {cell(columns[2], 50 * 1024)} | {cell(columns[3], 50 * 1024, 2)} |")
PY
