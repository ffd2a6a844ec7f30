#!/usr/bin/env bash
# The 50-host fleet rollout under steps-runner, at several parallelism bounds: wall time, and what
# the runner asked of the Kubernetes API. Prints a BENCHMARKS.md section. Each run gets a fresh
# rack (a new bmc-fleet), so every run has the same work: 4 factory passwords, 3 refusing BMCs, 4
# hosts without a BMC interface.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RELEASE=${1:?usage: bench-fleet.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
SIMULATORS=${2:?usage: bench-fleet.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
source "$ROOT/scripts/lib.sh"

TOKEN=fleet0token0$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
"$SIMULATORS/simulator" nautobot --inventory "$ROOT/fixtures/fleet-inventory.json" --token "$TOKEN" \
  --tls-dir "$WORK/nautobot-tls" --ready-file "$WORK/nautobot.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/nautobot.url"

run() { # parallelism manufacturer → "seconds workflow-writes"
  local parallelism=$1 manufacturer=$2 dir="$WORK/run-$1-$2"
  mkdir -p "$dir"
  cp -r "$ROOT/workflowtemplates" "$dir/templates"
  sed -i "s/parallelism: 10/parallelism: $parallelism/" "$dir/templates/obm-sync-creds-fleet.yaml"
  "$SIMULATORS/simulator" bmc-fleet --spec "$ROOT/fixtures/fleet-bmcs.json" --tls-dir "$WORK/fleet-tls" \
    --ready-file "$dir/fleet.json" >/dev/null &
  local fleet=$!
  wait_ready "$dir/fleet.json"
  fleet_cluster_objects "$(cat "$WORK/nautobot.url")" "$TOKEN" "$dir/fleet.json" >"$dir/cluster.json"
  "$SIMULATORS/simulator" kubernetes --token "fleet-kube-$$" --objects "$dir/cluster.json" --tls-dir "$dir/kube-tls" \
    --kubeconfig-out "$dir/kubeconfig" --ready-file "$dir/kube.url" >/dev/null &
  local kube=$!
  wait_ready "$dir/kube.url"
  local filter=()
  [ "$manufacturer" = all ] || filter=(-p "manufacturer=$manufacturer")
  local start end
  start=$(date +%s.%N)
  KUBECONFIG=$dir/kubeconfig "$RELEASE/steps-runner" run obm-sync-creds-fleet --templates "$dir/templates" --bin "$RELEASE" \
    -p location=DC3 -p failure-budget=50 "${filter[@]}" --env "OBM_CA_FILE=$WORK/fleet-tls/ca.pem" \
    --env "NAUTOBOT_CA_FILE=$WORK/nautobot-tls/ca.pem" >"$dir/out.txt" 2>&1 || true
  end=$(date +%s.%N)
  local writes
  writes=$(curl -s --cacert "$dir/kube-tls/ca.pem" "$(cat "$dir/kube.url")/_simulator/log" | grep -o '"update workflows/[^"]*"' | wc -l)
  kill "$fleet" "$kube" 2>/dev/null || true
  wait "$fleet" "$kube" 2>/dev/null || true
  echo "$(python3 -c "print(round($end - $start, 1))") $writes"
}

echo
echo "## Fleet rollout (steps-runner, 50 simulated hosts)"
echo
echo "obm-sync-creds-fleet over fixtures/fleet-inventory.json, budget 50 (never crossed), a fresh rack"
echo "per run; \`parallelism\` of the rollout template patched per row. \"Dell only\" avoids iLO's 10 s"
echo "spacing between failed logins (HPE hosts with the factory password, or refusing every password,"
echo "wait it), so it shows the runner's own cost per host. Workflow writes: status updates the runner"
echo "published to the Kubernetes API."
echo
echo "| hosts | parallelism | wall s | workflow writes |"
echo "|---|---|---|---|"
for selection in all Dell; do
  for parallelism in 5 10 25 50; do
    read -r seconds writes <<<"$(run "$parallelism" "$selection")"
    label=$([ "$selection" = all ] && echo "50 (mixed)" || echo "21 (Dell only)")
    echo "| $label | $parallelism | $seconds | $writes |"
  done
done
