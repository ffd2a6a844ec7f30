#!/usr/bin/env bash
# The fleet decisions at scale: how large an obm-sync-creds-fleet Workflow grows per host as a real
# Argo controller writes it (scripts/argo-rollout-workflow.py), the largest rollout whose node
# status a controller keeps in the Workflow, and fleet-rollout's admit and summarize on such
# Workflows served by the Kubernetes simulator, next to curl fetching the same object. Prints a
# BENCHMARKS.md section.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RELEASE=${1:?usage: bench-rollout-status.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
SIMULATORS=${2:?usage: bench-rollout-status.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
RUNS=${ROLLOUT_RUNS:-5}
source "$ROOT/scripts/lib.sh"
GENERATE="python3 $ROOT/scripts/argo-rollout-workflow.py"
MIB=1048576

size() { # hosts max-size → the generator's sizes (JSON)
  $GENERATE --hosts "$1" --max-size "$2" --sizes-only
}

# The largest rollout a controller keeps with MAX_WORKFLOW_SIZE at its default (1 MiB) and at
# 1.5 MiB (about what etcd's default request limit lets an object be).
largest() { # max-size → hosts
  local low=1 high=4000 mid
  while [ $((high - low)) -gt 5 ]; do
    mid=$(((low + high) / 2))
    if size "$mid" "$1" | grep -q '"packing": "too large'; then high=$mid; else low=$mid; fi
  done
  echo "$low"
}
DEFAULT_MAX=$(largest $MIB)
RAISED_MAX=$(largest $((MIB * 3 / 2)))

{
  echo
  echo "## Fleet decisions at scale: the Workflow's size, and admit and summarize on it"
  echo
  echo "An obm-sync-creds-fleet Workflow as a real Argo controller (v3.7/v4.1) writes it, from \`scripts/argo-rollout-workflow.py\`: 12 nodes a host (host, step groups, admit, the sync DAG, get-obm-ip, get-obm-creds and sync as Retry nodes with a Pod per attempt), every field the controller sets, ids as FNV-1a hashes of node names, the WorkflowTemplate stored in the status, \`taskResultsCompletionStatus\`; 2% of hosts failed, 5% retried once after exit 75. Packed as packer.go packs it: nodes inline while the object's JSON is at most MAX_WORKFLOW_SIZE, else gzip + base64 in \`status.compressedNodes\`, else too large."
  echo
  echo "| hosts | nodes | node map (raw) KB | compressedNodes KB | Workflow KB (compressed) | under 1 MiB |"
  echo "|---|---|---|---|---|---|"
  for hosts in 100 500 $DEFAULT_MAX 1000 2000 3000; do
    size "$hosts" $MIB | python3 -c '
import json, sys
s = json.load(sys.stdin)
kb = lambda b: "%.0f" % (b / 1024)
print("| %d | %d | %s | %s | %s | %s |" % (s["hosts"], s["nodes"], kb(s["nodesBytes"]), kb(s.get("compressedNodesBytes", 0)) if "compressedNodesBytes" in s else "–",
      kb(s["workflowBytes"]), s["packing"]))'
  done
  echo
  echo "So a controller keeps the node status of a rollout of at most **$DEFAULT_MAX hosts** in the Workflow at the default MAX_WORKFLOW_SIZE (1 MiB), and $RAISED_MAX with it raised to 1.5 MiB (etcd's default request limit is about that). Past it the controller offloads the nodes to its database when it has one (fleet-rollout then refuses: they cannot be read from the Kubernetes API) and otherwise marks the Workflow Error (\"workflow is longer than maximum allowed size\")."
  echo
} 

# admit and summarize, each served one Workflow (packed as a controller with the given limit packs it).
echo "| Workflow | admit wall s | admit peak RSS MiB | summarize wall s | summarize peak RSS MiB | curl GET wall s | curl peak RSS MiB |"
echo "|---|---|---|---|---|---|---|"
for entry in "$DEFAULT_MAX:$MIB" "1000:$((MIB * 3 / 2))" "3000:$((MIB * 4))"; do
  hosts=${entry%%:*} max=${entry##*:}
  dir="$WORK/rollout-$hosts"
  mkdir -p "$dir/out"
  $GENERATE --hosts "$hosts" --max-size "$max" --hostnames-out "$dir/hosts.json" >"$dir/workflow.json" 2>"$dir/sizes.json"
  python3 -c 'import json,sys; print(json.dumps([json.load(open(sys.argv[1]))]))' "$dir/workflow.json" >"$dir/objects.json"
  "$SIMULATORS/simulator" kubernetes --token "rollout-$$" --objects "$dir/objects.json" --tls-dir "$dir/tls" \
    --kubeconfig-out "$dir/kubeconfig" --ready-file "$dir/kube.url" >/dev/null &
  PIDS+=($!)
  wait_ready "$dir/kube.url"
  name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["name"])' "$dir/workflow.json")
  common="--workflow $name --host-template obm-sync-creds/main --failure-budget 10%"
  admit="$RELEASE/fleet-rollout --action admit $common --hostname rack01-001.dc3.local --total $hosts"
  summarize="$RELEASE/fleet-rollout --action summarize $common --hostnames @$dir/hosts.json"
  floor="curl -sS -o /dev/null --cacert $dir/tls/ca.pem -H 'Authorization: Bearer rollout-$$' $(cat "$dir/kube.url")/apis/argoproj.io/v1alpha1/namespaces/argo-events/workflows/$name"
  for which in admit summarize floor; do
    : >"$dir/$which.t"
    : >"$dir/$which.m"
    for _ in $(seq "$RUNS"); do
      # summarize exits 1: the rollout it reads has failed hosts, as it should say.
      KUBECONFIG=$dir/kubeconfig OUTPUTS_DIR=$dir/out /usr/bin/time -f '%e %M' -o "$dir/one" bash -c "exec ${!which}" >/dev/null 2>&1 || true
      read -r t m < <(tail -1 "$dir/one")
      echo "$t" >>"$dir/$which.t"
      echo "$m" >>"$dir/$which.m"
    done
  done
  python3 - "$dir" "$hosts" "$max" <<'PY'
import json, statistics, sys
d, hosts, max_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
med = lambda name, scale=1: statistics.median(float(v) for v in open(f"{d}/{name}").read().split()) / scale
sizes = json.load(open(f"{d}/sizes.json"))
label = f"{hosts} hosts, {sizes['workflowBytes'] / 1024:.0f} KB ({sizes['packing']}, limit {max_size / 1048576:g} MiB)"
print(f"| {label} | {med('admit.t'):.2f} | {med('admit.m', 1024):.1f} | {med('summarize.t'):.2f} | {med('summarize.m', 1024):.1f} | {med('floor.t'):.2f} | {med('floor.m', 1024):.1f} |")
PY
done
echo
echo "Median of $RUNS runs each. The template allows each step 64Mi. Both read only the Workflow's status, member by member, decode the nodes one at a time and index them once per host, so time and memory grow linearly with the hosts (the 3,000-host row is packed for a 4 MiB limit no controller keeps, to show the slope)."
