#!/usr/bin/env bash
# `make bench`: release binaries against the simulators on loopback, each next to its floor (curl
# making the same requests in one process). Writes BENCHMARKS.md. Figures are medians over
# repeated runs with their spread; they are ratios measured in one run on a shared machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RELEASE=${1:?usage: bench.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
SIMULATORS=${2:?usage: bench.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
RUNS=${BENCH_RUNS:-20}
source "$ROOT/scripts/lib.sh"

TOKEN=bench0token0$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
"$SIMULATORS/simulator" nautobot --inventory "$ROOT/fixtures/nautobot-inventory.json" --token "$TOKEN" \
  --tls-dir "$WORK/nautobot-tls" --ready-file "$WORK/nautobot.url" >/dev/null &
PIDS+=($!)
"$SIMULATORS/simulator" bmc --personality idrac9 --account root:Bench-Passw0rd --session-limit 64 \
  --tls-dir "$WORK/bmc-tls" --ready-file "$WORK/bmc.url" >/dev/null &
PIDS+=($!)
cat >"$WORK/cluster.json" <<JSON
[{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "obm-creds-host1.domain.local", "namespace": "argo-events"},
  "stringData": {"username": "root", "password": "Bench-Passw0rd"}},
 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "curl-floor-logins", "namespace": "argo-events"}, "data": {"format": "1"}}]
JSON
"$SIMULATORS/simulator" kubernetes --token "bench-kube-$$" --objects "$WORK/cluster.json" --tls-dir "$WORK/kube-tls" \
  --kubeconfig-out "$WORK/kubeconfig" --ready-file "$WORK/kube.url" >/dev/null &
PIDS+=($!)
mkdir -p "$WORK/images"
head -c 1048576 /dev/urandom >"$WORK/images/small.bin"
"$SIMULATORS/simulator" files --directory "$WORK/images" --ready-file "$WORK/files.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/nautobot.url"
wait_ready "$WORK/bmc.url"
wait_ready "$WORK/kube.url"
wait_ready "$WORK/files.url"
KUBE=$(cat "$WORK/kube.url")
FILES=$(cat "$WORK/files.url")
NB=$(cat "$WORK/nautobot.url")
BMC=$(cat "$WORK/bmc.url")
export NAUTOBOT_URL=$NB NAUTOBOT_TOKEN=$TOKEN NAUTOBOT_CA_FILE=$WORK/nautobot-tls/ca.pem OUTPUTS_DIR=$WORK/outputs
export OBM_CA_FILE=$WORK/bmc-tls/ca.pem OBM_USERNAME=root OBM_PASSWORD=Bench-Passw0rd
export KUBECONFIG=$WORK/kubeconfig
BMC_TOKEN=$(curl -sS --cacert "$OBM_CA_FILE" -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"UserName":"root","Password":"Bench-Passw0rd"}' "$BMC/redfish/v1/SessionService/Sessions" | tr -d '\r' | sed -n 's/^X-Auth-Token: //Ip')
BMC_GET="curl -sS --cacert $OBM_CA_FILE -H 'X-Auth-Token: $BMC_TOKEN' -o /dev/null"

# A BMC step's login history: read, the attempt merge-patched in (the answer is the history
# after the write), the outcome merge-patched in.
# The floor writes to a ConfigMap of its own, as large as the step's, so that neither reads the other's records.
HISTORY="$KUBE/api/v1/namespaces/argo-events/configmaps/curl-floor-logins"
KUBE_GET="--next -sS --cacert $WORK/kube-tls/ca.pem -H 'Authorization: Bearer bench-kube-$$' -o /dev/null"
KUBE_PATCH="$KUBE_GET -X PATCH -H 'Content-Type: application/merge-patch+json'"
BMC_NEXT="--next --cacert $OBM_CA_FILE -H 'X-Auth-Token: $BMC_TOKEN' -o /dev/null"

# name | our command | curl doing the same requests
cases=(
  "get-obm-ip|$RELEASE/get-obm-ip --hostname host1.domain.local|curl -sS --cacert $NAUTOBOT_CA_FILE -H 'Authorization: Token $TOKEN' -H 'Accept: application/json; version=2.0' '$NB/api/dcim/interfaces/?device=host1.domain.local&name=iDRAC&name=iLO&exclude_m2m=false&depth=1'"
  "get-device-nautobot|$RELEASE/get-device-nautobot --hostname host1.domain.local|curl -sS --cacert $NAUTOBOT_CA_FILE -H 'Authorization: Token $TOKEN' -H 'Accept: application/json; version=2.0' '$NB/api/dcim/devices/?name=host1.domain.local'"
  "nautobot-api|$RELEASE/nautobot-api --uri /dcim/devices/?name=host2.domain.local|curl -sS --cacert $NAUTOBOT_CA_FILE -H 'Authorization: Token $TOKEN' -H 'Accept: application/json; version=2.0' '$NB/api/dcim/devices/?name=host2.domain.local'"
  "get-obm-creds (secret source)|$RELEASE/get-obm-creds --hostname host1.domain.local|curl -sS --cacert $WORK/kube-tls/ca.pem -H 'Authorization: Bearer bench-kube-$$' '$KUBE/api/v1/namespaces/argo-events/secrets/obm-creds-host1.domain.local'"
  "obm-firmware-update (dry run, with the login history)|$RELEASE/obm-firmware-update --host ${BMC#https://} --firmware-url $FILES/small.bin --dry-run|curl -sS --cacert $OBM_CA_FILE $BMC/redfish/v1 -o /dev/null --next --cacert $OBM_CA_FILE -H 'X-Auth-Token: $BMC_TOKEN' -o /dev/null $BMC/redfish/v1/UpdateService --next --cacert $OBM_CA_FILE -H 'X-Auth-Token: $BMC_TOKEN' -o /dev/null $BMC/redfish/v1/TaskService --next --cacert $OBM_CA_FILE -H 'X-Auth-Token: $BMC_TOKEN' -o /dev/null $BMC/redfish/v1/TaskService/Tasks --next --cacert $OBM_CA_FILE -H 'X-Auth-Token: $BMC_TOKEN' -o /dev/null $BMC/redfish/v1/Managers --next --cacert $OBM_CA_FILE -H 'X-Auth-Token: $BMC_TOKEN' -o /dev/null $BMC/redfish/v1/Managers/iDRAC.Embedded.1 --next -sS -I -o /dev/null $FILES/small.bin --next --cacert $OBM_CA_FILE -o /dev/null $BMC/redfish/v1/AccountService $BMC_NEXT $BMC/redfish/v1/AccountService $KUBE_GET $HISTORY $KUBE_PATCH -d '{\"data\":{\"format\":\"1\",\"attempt.0.curl\":\"pending\"}}' $HISTORY $KUBE_PATCH -d '{\"data\":{\"format\":\"1\",\"attempt.0.curl\":\"accepted\"}}' $HISTORY"
  "obm-sync-creds (in sync, with the login history)|$RELEASE/obm-sync-creds --host ${BMC#https://}|curl -sS --cacert $OBM_CA_FILE $BMC/redfish/v1 -o /dev/null --next --cacert $OBM_CA_FILE $BMC/redfish/v1/AccountService -o /dev/null $KUBE_GET $HISTORY $KUBE_PATCH -d '{\"data\":{\"format\":\"1\",\"attempt.0.curl\":\"pending\"}}' $HISTORY --next --cacert $OBM_CA_FILE -D $WORK/h -H 'Content-Type: application/json' -d '{\"UserName\":\"root\",\"Password\":\"Bench-Passw0rd\"}' $BMC/redfish/v1/SessionService/Sessions -o /dev/null $KUBE_PATCH -d '{\"data\":{\"format\":\"1\",\"attempt.0.curl\":\"accepted\"}}' $HISTORY $BMC_NEXT $BMC/redfish/v1/AccountService"
)

{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), $(uname -r). Shared and noisy: read the ratios, not the absolute figures."
  echo
  echo "## Step wall time and peak RSS against the simulators on loopback, next to curl"
  echo
  echo "Each step runs as a process ($RUNS runs; wall time from hyperfine, peak RSS from \`/usr/bin/time\`); the floor is one \`curl\` process making the same HTTPS requests (for the BMC steps, with a session token made beforehand: the step makes and deletes its own). Median (min–max)."
  echo
  echo "| step | wall ms | curl wall ms | ratio | peak RSS MiB | curl peak RSS MiB | ratio |"
  echo "|---|---|---|---|---|---|---|"
} >"$WORK/BENCHMARKS.md"

for entry in "${cases[@]}"; do
  IFS='|' read -r name ours floor <<<"$entry"
  label=${name%% *}
  measure "$label" "$ours"
  measure "$label-curl" "$floor"
  read -r t tmin tmax <<<"$(stats "$WORK/$label.time")"
  read -r c cmin cmax <<<"$(stats "$WORK/$label-curl.time")"
  read -r r rmin rmax <<<"$(stats "$WORK/$label.rss")"
  read -r cr crmin crmax <<<"$(stats "$WORK/$label-curl.rss")"
  python3 - "$name" "$t" "$tmin" "$tmax" "$c" "$cmin" "$cmax" "$r" "$rmin" "$rmax" "$cr" "$crmin" "$crmax" >>"$WORK/BENCHMARKS.md" <<'PY'
import sys
name, *v = sys.argv[1:]
t, tmin, tmax, c, cmin, cmax, r, rmin, rmax, cr, crmin, crmax = map(float, v)
ms = lambda x: "%.1f" % (x * 1000)
mib = lambda x: "%.1f" % (x / 1024)
ratio = t / c if c else float("nan")
print(f"| {name} | {ms(t)} ({ms(tmin)}–{ms(tmax)}) | {ms(c)} ({ms(cmin)}–{ms(cmax)}) | {ratio:.2f}× | {mib(r)} ({mib(rmin)}–{mib(rmax)}) | {mib(cr)} ({mib(crmin)}–{mib(crmax)}) | {r / cr:.2f}× |")
PY
done

{
  echo
  echo "Targets: median wall time within 2× curl's, peak RSS ≤ 15 MiB."
  echo
  echo "## Firmware push: obm-firmware-update streaming an image from a web server to a BMC, next to curl uploading the file"
  echo
  echo "The step downloads the image from the image simulator and streams it into the BMC simulator's MultipartHttpPushUri (one multipart form, exact Content-Length) while it downloads; curl uploads the same file from local disk to the same endpoint with curl -F. Both over TLS on loopback; the BMC simulator writes what it receives to disk. Wall time of the whole step (login, upload, task) and of curl's upload; median of ${FIRMWARE_RUNS:-3} runs (min–max)."
  echo
  echo "| image | step MiB/s | curl MiB/s | ratio | step peak RSS MiB | curl peak RSS MiB |"
  echo "|---|---|---|---|---|---|"
} >>"$WORK/BENCHMARKS.md"

mkdir -p "$WORK/images"
"$SIMULATORS/simulator" files --directory "$WORK/images" --ready-file "$WORK/files.url" >/dev/null &
PIDS+=($!)
"$SIMULATORS/simulator" bmc --personality idrac9 --account root:Bench-Passw0rd --session-limit 64 --task-seconds 0.01 \
  --tls-dir "$WORK/fw-tls" --ready-file "$WORK/fw.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/files.url"
wait_ready "$WORK/fw.url"
FW=$(cat "$WORK/fw.url")
for mib in ${FIRMWARE_SIZES_MIB:-64 1024}; do
  image="$WORK/images/image-$mib.bin"
  head -c $((mib * 1048576)) /dev/urandom >"$image"
  : >"$WORK/fw-step"; : >"$WORK/fw-curl"
  for _ in $(seq "${FIRMWARE_RUNS:-3}"); do
    OBM_CA_FILE=$WORK/fw-tls/ca.pem /usr/bin/time -f '%e %M' -o "$WORK/one" "$RELEASE/obm-firmware-update" --host "${FW#https://}" \
      --method multipart --poll-interval 0.05 --firmware-url "$(cat "$WORK/files.url")/image-$mib.bin" >/dev/null 2>"$WORK/err" ||
      { cat "$WORK/err" >&2; exit 1; }
    cat "$WORK/one" >>"$WORK/fw-step"
    token=$(curl -sS --cacert "$WORK/fw-tls/ca.pem" -D - -o /dev/null -H 'Content-Type: application/json' \
      -d '{"UserName":"root","Password":"Bench-Passw0rd"}' "$FW/redfish/v1/SessionService/Sessions" |
      tr -d '\r' | sed -n 's/^X-Auth-Token: //Ip')
    /usr/bin/time -f '%e %M' -o "$WORK/one" curl -sS --cacert "$WORK/fw-tls/ca.pem" -H "X-Auth-Token: $token" -H 'Expect:' \
      -F 'UpdateParameters={"Targets":[]};type=application/json' -F "UpdateFile=@$image;type=application/octet-stream" \
      "$FW/redfish/v1/UpdateService/MultipartUpload" -o /dev/null
    cat "$WORK/one" >>"$WORK/fw-curl"
  done
  python3 - "$mib" "$WORK/fw-step" "$WORK/fw-curl" >>"$WORK/BENCHMARKS.md" <<'PY'
import statistics, sys
mib = int(sys.argv[1])
def read(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return [float(r[0]) for r in rows], [float(r[1]) / 1024 for r in rows]
st, sr = read(sys.argv[2]); ct, cr = read(sys.argv[3])
rate = lambda t: mib / t if t > 0 else float("nan")
s, c = rate(statistics.median(st)), rate(statistics.median(ct))
print(f"| {mib} MiB | {s:.0f} ({rate(max(st)):.0f}–{rate(min(st)):.0f}) | {c:.0f} ({rate(max(ct)):.0f}–{rate(min(ct)):.0f}) | {s / c:.2f}× | "
      f"{statistics.median(sr):.1f} ({min(sr):.1f}–{max(sr):.1f}) | {statistics.median(cr):.1f} ({min(cr):.1f}–{max(cr):.1f}) |")
PY
  rm -f "$image"
done

{
  echo
  echo "Targets: throughput ≥ 70% of curl's, peak RSS ≤ 32 MiB whatever the image size."
  echo
  echo "## obm-sync-creds: the attempt schedule under a lockout policy"
  echo
  echo "The credentials on record wrong and N legacy passwords, the last one right: N failed logins to place before the one that works. Run for real against the BMC simulator, with the login history in the Kubernetes simulator: iDRAC at full scale (3 failures per 60 s block the address; the step knows that window from the maker, and no setting loosens it); Redfish with every duration scaled by 0.05 (AccountLockoutThreshold 3, CounterResetAfter 30 s, here 1.5 s, as its AccountService reports it), then multiplied back by 20. The shortest schedule the policy allows: iDRAC's sliding window lets two failures through per window, so the attempt after the k-th failure can come at floor(k/2) windows; the Redfish counter resets a whole reset-after after the last failure, so the same floor(k/2) periods. A fixed 60 s between attempts (the seed's way) waits before every attempt after a failure. Lockouts and sessions left open are counted on the simulator."
  echo
  echo "| policy | legacy passwords | failed logins | ours (s, full scale) | shortest allowed (s) | ratio | fixed 60 s/attempt (s) | lockouts | sessions left |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >>"$WORK/BENCHMARKS.md"

for policy in idrac redfish; do
  for legacy in 1 3 5; do
    if [ "$policy" = idrac ]; then
      # At full scale: the step knows iDRAC's 60 s window from its maker, and no setting loosens it.
      "$SIMULATORS/simulator" bmc --personality idrac9 --account root:Legacy-Right-Passw0rd --time-scale 1 \
        --tls-dir "$WORK/sync-tls" --ready-file "$WORK/sync-$policy-$legacy.url" >/dev/null &
      period=60; scale=1
    else
      "$SIMULATORS/simulator" bmc --personality dmtf --account-threshold 3 --account root:Legacy-Right-Passw0rd --time-scale 0.05 \
        --tls-dir "$WORK/sync-tls" --ready-file "$WORK/sync-$policy-$legacy.url" >/dev/null &
      period=30; scale=20
    fi
    PIDS+=($!)
    wait_ready "$WORK/sync-$policy-$legacy.url"
    url=$(cat "$WORK/sync-$policy-$legacy.url")
    passwords=$(python3 -c "import json,sys; n=int(sys.argv[1]); print(json.dumps(['Old-%d' % i for i in range(n - 1)] + ['Legacy-Right-Passw0rd']))" "$legacy")
    start=$(date +%s.%N)
    env OBM_CA_FILE="$WORK/sync-tls/ca.pem" OBM_PASSWORD=Record-Not-Set-Yet OBM_LEGACY_PASSWORDS="$passwords" \
      "$RELEASE/obm-sync-creds" --host "${url#https://}" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    end=$(date +%s.%N)
    curl -s --cacert "$WORK/sync-tls/ca.pem" "$url/_simulator/state" >"$WORK/sync-state.json"
    python3 - "$policy" "$legacy" "$start" "$end" "$period" "$WORK/sync-state.json" "$scale" >>"$WORK/BENCHMARKS.md" <<'PY'
import json, sys
policy, legacy, start, end, period, state = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), json.load(open(sys.argv[6]))
failures = sum(1 for a in state["attempts"] if a["outcome"] != "accepted")
ours = (end - start) * float(sys.argv[7])
shortest = (failures // 2) * period
fixed = failures * 60
ratio = f"{ours / shortest:.3f}×" if shortest else "–"
name = "iDRAC (3 per 60 s, by address)" if policy == "idrac" else "Redfish (threshold 3, reset after 30 s)"
print(f"| {name} | {legacy} | {failures} | {ours:.1f} | {shortest:.0f} | {ratio} | {fixed} | {state['lockouts']} | {state['sessions']} |")
PY
  done
done

{
  echo
  echo "Target: within 10% of the shortest schedule the policy allows, zero lockouts, zero sessions left. (With one legacy password there is one failure and no wait at all: the ratio is of process and TLS time, not of the schedule.)"
  echo
  echo "## The local runner's overhead per step"
  echo
  echo "\`steps-runner run get-obm-ip\` (parse and lint every template of workflowtemplates/, read ConfigMap nautobot and Secret nautobot-token from the Kubernetes simulator, run the step, read its output) next to running \`get-obm-ip\` alone. Median (min–max) of $RUNS runs."
  echo
} >>"$WORK/BENCHMARKS.md"
cat >"$WORK/runner.json" <<JSON
[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nautobot", "namespace": "argo-events"}, "data": {"url": "$NB"}},
 {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "nautobot-token", "namespace": "argo-events"}, "stringData": {"token": "$TOKEN"}}]
JSON
"$SIMULATORS/simulator" kubernetes --token "bench-runner-$$" --objects "$WORK/runner.json" --tls-dir "$WORK/runner-tls" \
  --kubeconfig-out "$WORK/runner.kubeconfig" --ready-file "$WORK/runner.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/runner.url"
measure runner "env KUBECONFIG=$WORK/runner.kubeconfig $RELEASE/steps-runner run get-obm-ip --templates $ROOT/workflowtemplates --bin $RELEASE -p hostname=host1.domain.local --env NAUTOBOT_CA_FILE=$NAUTOBOT_CA_FILE"
measure direct "$RELEASE/get-obm-ip --hostname host1.domain.local"
read -r rt rtmin rtmax <<<"$(stats "$WORK/runner.time")"
read -r dt dtmin dtmax <<<"$(stats "$WORK/direct.time")"
python3 -c "
import sys
rt, rtmin, rtmax, dt, dtmin, dtmax = map(float, sys.argv[1:])
print('| | wall ms |')
print('|---|---|')
print(f'| steps-runner run get-obm-ip | {rt*1000:.1f} ({rtmin*1000:.1f}–{rtmax*1000:.1f}) |')
print(f'| get-obm-ip alone | {dt*1000:.1f} ({dtmin*1000:.1f}–{dtmax*1000:.1f}) |')
print(f'| overhead per step | {(rt-dt)*1000:.1f} |')
" "$rt" "$rtmin" "$rtmax" "$dt" "$dtmin" "$dtmax" >>"$WORK/BENCHMARKS.md"

"$ROOT/scripts/bench-fleet.sh" "$RELEASE" "$SIMULATORS" >>"$WORK/BENCHMARKS.md"
"$ROOT/scripts/bench-rollout-status.sh" "$RELEASE" "$SIMULATORS" >>"$WORK/BENCHMARKS.md"
"$ROOT/scripts/bench-firmware-compliance.sh" "$RELEASE" "$SIMULATORS" >>"$WORK/BENCHMARKS.md"
"$ROOT/scripts/bench-fleet-compliance.sh" "$RELEASE" "$SIMULATORS" >>"$WORK/BENCHMARKS.md"

{
  echo
  echo "## Image sizes"
  echo
  if command -v podman >/dev/null && eval "$("$ROOT/scripts/images.sh" env)" && podman image exists baremetal-steps/get-obm-ip:0.1.0 2>/dev/null; then
    echo "From \`make images\` (uncompressed, as podman reports them). Target: ≤ 45 MB each."
    echo
    echo "| image | bytes |"
    echo "|---|---|"
    for step in nautobot-api get-device-nautobot get-obm-ip get-obm-creds obm-sync-creds obm-firmware-update get-devices-nautobot fleet-rollout get-firmware-inventory firmware-plan; do
      echo "| baremetal-steps/$step:0.1.0 | $(podman image inspect --format '{{.Size}}' "baremetal-steps/$step:0.1.0") |"
    done
  else
    echo "No images on this machine: run \`make images\` first (podman)."
  fi
} >>"$WORK/BENCHMARKS.md"

{
  echo
  echo "For scale, on this machine: \`curl --version\` peaks at $(/usr/bin/time -f %M curl --version 2>&1 >/dev/null | tail -1) KiB and \`get-obm-ip --version\` at $(/usr/bin/time -f %M "$RELEASE/get-obm-ip" --version 2>&1 >/dev/null | tail -1) KiB: loading libcurl and its dependencies (OpenSSL, GnuTLS, Kerberos, LDAP, ...) is most of either figure."
  echo
  echo "## Stripped binary sizes"
  echo
  echo "| binary | bytes |"
  echo "|---|---|"
  for f in "$ROOT"/.build/steps/*; do echo "| $(basename "$f") | $(stat -c %s "$f") |"; done
} >>"$WORK/BENCHMARKS.md"

# One session's comparisons (before and after a change) cannot be measured again: what follows
# the marker in the old file is kept as it is.
MARKER='<!-- Kept by hand'
if grep -q "^$MARKER" "$ROOT/BENCHMARKS.md" 2>/dev/null; then
  { echo; sed -n "/^$MARKER/,\$p" "$ROOT/BENCHMARKS.md"; } >>"$WORK/BENCHMARKS.md"
fi
cp "$WORK/BENCHMARKS.md" "$ROOT/BENCHMARKS.md"
cat "$ROOT/BENCHMARKS.md"
