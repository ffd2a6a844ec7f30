#!/usr/bin/env bash
# `make demo`: the steps end to end on this machine, against the simulators. Starts what it
# needs, shows each step's command, output file and exit status, and stops everything it started.
set -euo pipefail
BIN=${1:?usage: demo.sh BIN_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/lib.sh"

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }

# The seed's setup in the Kubernetes simulator: the master key of the `standard` credential source
# and the step's own Pod (which owns the Secrets it makes).
cat >"$WORK/objects.json" <<JSON
[{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "obm-master", "namespace": "argo-events"},
  "stringData": {"key": "demo-master-key-$RANDOM$RANDOM"}},
 {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "get-obm-creds-demo", "namespace": "argo-events",
  "uid": "5d0c4a52-8e7b-4f0e-9c1e-2a6b3f4d5e6f"}}]
JSON
if [ "${NAUTOBOT:-simulator}" = real ]; then
  # `make demo NAUTOBOT=real`: the local Nautobot of `make real-nautobot-up`, with the same inventory.
  eval "$("$ROOT/scripts/real-nautobot.sh" env)"
  export NAUTOBOT_URL=$NAUTOBOT_REAL_URL NAUTOBOT_TOKEN=$NAUTOBOT_REAL_TOKEN NAUTOBOT_CA_FILE=
  curl -fsS -o /dev/null "$NAUTOBOT_URL/health/" 2>/dev/null ||
    { echo "demo: no Nautobot at $NAUTOBOT_URL: start it with make real-nautobot-up" >&2; exit 1; }
  python3 "$ROOT/scripts/load-nautobot-inventory.py" "$NAUTOBOT_URL" "$NAUTOBOT_TOKEN" 2>/dev/null
  echo "Nautobot (real) at $NAUTOBOT_URL; inventory fixtures/nautobot-inventory.json"
else
  export NAUTOBOT_TOKEN=demo0token0$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
  "$BIN/simulator" nautobot --inventory "$ROOT/fixtures/nautobot-inventory.json" --token "$NAUTOBOT_TOKEN" \
    --tls-dir "$WORK/nautobot-tls" --ready-file "$WORK/nautobot.url" >/dev/null &
  PIDS+=($!)
  wait_ready "$WORK/nautobot.url"
  export NAUTOBOT_URL=$(cat "$WORK/nautobot.url") NAUTOBOT_CA_FILE="$WORK/nautobot-tls/ca.pem"
  echo "Nautobot simulator at $NAUTOBOT_URL (TLS, its own CA); inventory fixtures/nautobot-inventory.json"
fi
"$BIN/simulator" kubernetes --token "demo-kube-token-$$" --objects "$WORK/objects.json" \
  --tls-dir "$WORK/kubernetes-tls" --kubeconfig-out "$WORK/kubeconfig" --ready-file "$WORK/kubernetes.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/kubernetes.url"
echo "Kubernetes API simulator at $(cat "$WORK/kubernetes.url") (TLS, bearer token); kubeconfig $WORK/kubeconfig"


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
bold "get-obm-creds derives the BMC password (standard source) into a Secret owned by the step's pod:"
KUBECONFIG=$WORK/kubeconfig HOSTNAME=get-obm-creds-demo OBM_CREDS_SOURCE=standard \
  step get-obm-creds --hostname host1.domain.local
bold "\$ kubectl get secret obm-creds-5d0c4a52-8e7b-4f0e-9c1e-2a6b3f4d5e6f -o json   (the same Secret, read back by kubectl)"
KUBECONFIG=$WORK/kubeconfig kubectl get secret obm-creds-5d0c4a52-8e7b-4f0e-9c1e-2a6b3f4d5e6f \
  -o jsonpath='  type: {.type}{"\n"}  keys: {.data}{"\n"}  ownerReferences: {.metadata.ownerReferences}{"\n"}' |
  sed -E 's/"password":"[^"]*"/"password":"(hidden)"/'

bold "The workflows, run by steps-runner from workflowtemplates/ as Argo would run them:"
# A factory-fresh iDRAC (root/calvin, must change it) plays demo.domain.local's BMC, whose address
# in Nautobot is 127.0.0.1. The steps know iDRAC's window (3 failures per 60 s) from its maker and no
# setting loosens it: with two wrong legacy passwords before calvin, the sync waits one window (60 s).
"$BIN/simulator" bmc --personality idrac9 --account root:calvin:change --time-scale 0.05 --task-seconds 2 \
  --tls-dir "$WORK/bmc-tls" --ready-file "$WORK/bmc.url" >/dev/null &
PIDS+=($!)
mkdir -p "$WORK/images"
head -c 8388608 /dev/urandom >"$WORK/images/iDRAC-with-Lifecycle-Controller-7.10.30.00.bin"
"$BIN/simulator" files --directory "$WORK/images" --ready-file "$WORK/files.url" >/dev/null &
PIDS+=($!)
# The seed's setup, in a Kubernetes API of its own: ConfigMap nautobot, Secret nautobot-token,
# and the obm-* settings and secrets the examples/ overlay ships.
cat >"$WORK/cluster.json" <<JSON
[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nautobot", "namespace": "argo-events"}, "data": {"url": "$NAUTOBOT_URL"}},
 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "nautobot-token", "namespace": "argo-events"},
  "stringData": {"token": "$NAUTOBOT_TOKEN", "bearer_token": "Token $NAUTOBOT_TOKEN"}},
 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "obm-settings", "namespace": "argo-events"},
  "data": {"creds-source": "standard"}},
 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "obm-legacy-passwords", "namespace": "argo-events"},
  "stringData": {"passwords": "[\\"Old-Passw0rd-2019\\", \\"Old-Passw0rd-2022\\", \\"calvin\\"]"}},
 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "obm-master", "namespace": "argo-events"},
  "stringData": {"key": "demo-master-key-$RANDOM$RANDOM"}}]
JSON
"$BIN/simulator" kubernetes --token "cluster-token-$$" --objects "$WORK/cluster.json" --tls-dir "$WORK/cluster-tls" \
  --kubeconfig-out "$WORK/cluster.kubeconfig" --ready-file "$WORK/cluster.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/bmc.url"
wait_ready "$WORK/files.url"
wait_ready "$WORK/cluster.url"
BMC=$(sed 's#https://##' "$WORK/bmc.url")
bmc_state() { curl -s --cacert "$WORK/bmc-tls/ca.pem" "https://$BMC/_simulator/state"; }
BEFORE=$(bmc_state | python3 -c 'import json,sys; print(json.load(sys.stdin)["firmwareVersion"])')
RUNNER_ENV=(--env "OBM_PORT=${BMC#*:}" --env "OBM_CA_FILE=$WORK/bmc-tls/ca.pem" --env "NAUTOBOT_CA_FILE=$NAUTOBOT_CA_FILE")
"$BIN/steps-runner" lint --templates "$ROOT/workflowtemplates"

bold "\$ argo submit --from workflowtemplate/obm-sync-creds --parameter hostname=demo.domain.local   (steps-runner)"
KUBECONFIG=$WORK/cluster.kubeconfig "$BIN/steps-runner" run obm-sync-creds --templates "$ROOT/workflowtemplates" --bin "$BIN" \
  -p hostname=demo.domain.local "${RUNNER_ENV[@]}" 2>/dev/null | sed 's/^/  /' || true
bmc_state | python3 -c '
import json, sys
state = json.load(sys.stdin)
print("  the BMC saw:", ", ".join("%s at %.1f s" % (a["outcome"], a["time"]) for a in state["attempts"]))
print("  sessions left open: %d, lockouts: %d" % (state["sessions"], state["lockouts"]))'

bold "\$ argo submit --from workflowtemplate/obm-firmware-update --parameter hostname=demo.domain.local --parameter firmware-url=...   (steps-runner)"
KUBECONFIG=$WORK/cluster.kubeconfig "$BIN/steps-runner" run obm-firmware-update --templates "$ROOT/workflowtemplates" --bin "$BIN" \
  -p hostname=demo.domain.local -p firmware-url="$(cat "$WORK/files.url")/iDRAC-with-Lifecycle-Controller-7.10.30.00.bin" \
  "${RUNNER_ENV[@]}" 2>/dev/null | sed 's/^/  /' || true
AFTER=$(bmc_state | python3 -c 'import json,sys; print(json.load(sys.stdin)["firmwareVersion"])')

bold "\$ argo submit --from workflowtemplate/get-firmware-inventory --parameter hostname=demo.domain.local   (steps-runner)"
KUBECONFIG=$WORK/cluster.kubeconfig "$BIN/steps-runner" run get-firmware-inventory --templates "$ROOT/workflowtemplates" --bin "$BIN" \
  -p hostname=demo.domain.local "${RUNNER_ENV[@]}" 2>/dev/null | sed 's/^/  /' || true
bold "\$ argo submit --from workflowtemplate/firmware-plan --parameter hostname=demo.domain.local --parameter record=true   (steps-runner)"
KUBECONFIG=$WORK/cluster.kubeconfig "$BIN/steps-runner" run firmware-plan --templates "$ROOT/workflowtemplates" --bin "$BIN" \
  -p hostname=demo.domain.local -p record=true "${RUNNER_ENV[@]}" 2>/dev/null | sed 's/^/  /' || true
RECORD_SECRET=$(KUBECONFIG=$WORK/cluster.kubeconfig kubectl get secrets -o name | sed -n 's#secret/\(obm-creds-.*\)#\1#p' | head -1)
RECORD_PASSWORD=$(KUBECONFIG=$WORK/cluster.kubeconfig kubectl get secret "$RECORD_SECRET" -o jsonpath='{.data.password}' | base64 -d)
ACCEPTS=$(curl -s --cacert "$WORK/bmc-tls/ca.pem" -d "{\"user\": \"root\", \"password\": \"$RECORD_PASSWORD\"}" "https://$BMC/_simulator/check" |
  python3 -c 'import json,sys; print("yes" if json.load(sys.stdin)["matches"] else "NO")')

bold "Summary"
echo "  password synced: does the BMC now accept the credentials on record (Secret $RECORD_SECRET)? $ACCEPTS"
echo "  firmware: $BEFORE before, $AFTER after"

bold "Fleet rollouts: a rack of 50 servers (fixtures/fleet-inventory.json, in a Nautobot simulator of its own), each BMC a simulator:"
# Dell, HPE and Supermicro mixed; four have no BMC interface in Nautobot, three BMCs refuse every
# password we know, one fails its firmware task, one (rack3-09) has an image whose checksum on record is wrong. The BMCs keep their Nautobot addresses
# (192.0.2.x, never routed): the steps reach each through OBM_CONNECT_TO, as through a jump host.
# The rack's firmware baseline names its images on https://firmware.example: they are served by
# the image server above, which the Nautobot simulator puts in their place.
"$ROOT/scripts/fleet-images.sh" "$WORK/images"
"$BIN/simulator" nautobot --inventory "$ROOT/fixtures/fleet-inventory.json" --token "$NAUTOBOT_TOKEN" \
  --image-server "$(cat "$WORK/files.url")" \
  --tls-dir "$WORK/fleet-nautobot-tls" --ready-file "$WORK/fleet-nautobot.url" >/dev/null &
PIDS+=($!)
"$BIN/simulator" bmc-fleet --spec "$ROOT/fixtures/fleet-bmcs.json" --tls-dir "$WORK/fleet-tls" --ready-file "$WORK/fleet.json" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/fleet-nautobot.url"
wait_ready "$WORK/fleet.json"
fleet_cluster_objects "$(cat "$WORK/fleet-nautobot.url")" "$NAUTOBOT_TOKEN" "$WORK/fleet.json" >"$WORK/fleet-cluster.json"
"$BIN/simulator" kubernetes --token "fleet-token-$$" --objects "$WORK/fleet-cluster.json" --tls-dir "$WORK/fleet-cluster-tls" \
  --kubeconfig-out "$WORK/fleet.kubeconfig" --ready-file "$WORK/fleet-cluster.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/fleet-cluster.url"
FLEET_ENV=(--env "OBM_CA_FILE=$WORK/fleet-tls/ca.pem" --env "NAUTOBOT_CA_FILE=$WORK/fleet-nautobot-tls/ca.pem")
fleet() { # workflow parameters...: runs it, prints argo get's head and the summary step's output, per host
  local workflow=$1; shift
  local started=$SECONDS
  KUBECONFIG=$WORK/fleet.kubeconfig "$BIN/steps-runner" run "$workflow" --templates "$ROOT/workflowtemplates" --bin "$BIN" \
    "$@" "${FLEET_ENV[@]}" 2>/dev/null >"$WORK/fleet-run.txt" || true
  sed -n '/^Name:/,/^Duration:/p' "$WORK/fleet-run.txt" | grep -v '^Message:' | sed 's/^/  /'
  local name
  name=$(sed -n 's/^Name: *//p' "$WORK/fleet-run.txt")
  KUBECONFIG=$WORK/fleet.kubeconfig kubectl get --raw "/apis/argoproj.io/v1alpha1/namespaces/argo-events/workflows/$name" |
    python3 -c '
import json, sys
nodes = json.load(sys.stdin)["status"]["nodes"].values()
summary = next(p["value"] for n in nodes if n["displayName"] == "summary" for p in n.get("outputs", {}).get("parameters", []))
s = json.loads(summary)
if "deviceTypes" in s:
    print("  summary: %d hosts: %d compliant, %d outdated, %d no baseline, %d unknown, %d failed, %d not started" % (
        s["hosts"], s["compliant"], s["outdated"], s["noBaseline"], s["unknown"], s["failed"], s["notStarted"]))
    for t in s["deviceTypes"]:
        print("    %-32s %2d hosts: %d compliant, %d outdated, %d no baseline, %d failed" % (
            t["deviceType"], t["hosts"], t["compliant"], t["outdated"], t["noBaseline"], t["failed"]))
else:
    print("  summary: %d hosts, %d succeeded, %d failed, %d not started; failure budget %s%s" % (
        s["hosts"], s["succeeded"], s["failed"], s["notStarted"], s["failureBudget"], " (crossed)" if s["budgetCrossed"] else ""))
    updated = [r["hostname"] for r in s["results"] if r.get("outputs", {}).get("bmc-action") == "update"]
    if updated:
        print("    BMC firmware updated from the plan on %d host(s): %s" % (len(updated), " ".join(h.split(".")[0] for h in updated)))
waiting = [r for r in s["results"] if r["result"] == "not started"]
for r in s["results"]:
    if r["result"] == "failed":
        print("    %-20s failed at %s (exit %s): %s" % (r["hostname"], r["step"], r.get("exitCode", "?"), r["message"][:110]))
if waiting:
    print("    %d %s (%s ... %s): %s" % (len(waiting), waiting[0]["result"], waiting[0]["hostname"], waiting[-1]["hostname"],
                                     waiting[0].get("reason", "")[:110]))'
  echo "  (steps-runner wall time: $((SECONDS - started)) s)"
}
bold "\$ argo submit --from workflowtemplate/obm-sync-creds-fleet -p location=DC3 -p failure-budget=20   (steps-runner)"
fleet obm-sync-creds-fleet -p location=DC3 -p failure-budget=20
bold "\$ argo submit --from workflowtemplate/firmware-compliance-fleet -p location=DC3   (steps-runner; recorded in Nautobot)"
fleet firmware-compliance-fleet -p location=DC3
bold "\$ argo submit --from workflowtemplate/obm-firmware-update-fleet -p location=DC3 -p failure-budget=10   (steps-runner; each host's plan decides)"
fleet obm-firmware-update-fleet -p location=DC3 -p failure-budget=10
bold "\$ argo submit --from workflowtemplate/obm-sync-creds-fleet -p location=DC3 -p failure-budget=2   (the budget stops the rollout)"
fleet obm-sync-creds-fleet -p location=DC3 -p failure-budget=2

bold "Failures say what to do, in one line, with the contract's exit status:"
step get-obm-ip --hostname host3.domain.local
step get-obm-ip --hostname dup.domain.local
NAUTOBOT_TOKEN=not-the-token step get-obm-ip --hostname host1.domain.local
NAUTOBOT_URL=https://127.0.0.1:9 LOG_LEVEL=warning step get-obm-ip --hostname host1.domain.local
echo
