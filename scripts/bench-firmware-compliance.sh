#!/usr/bin/env bash
# Firmware compliance figures for BENCHMARKS.md: firmware-plan against the Nautobot simulator next
# to curl making the same two requests, and a 1 GiB image pushed to a BMC by obm-firmware-update
# (verified against the plan's sha256 while it streams, and unverified from a URL) next to the same
# bytes moved by two curls in sequence (download to a file, then upload it with an exact length).
# Prints a BENCHMARKS.md section; ratios measured in one run, the variants alternated.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RELEASE=${1:?usage: bench-firmware-compliance.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
SIMULATORS=${2:?usage: bench-firmware-compliance.sh RELEASE_BIN_DIR SIMULATOR_BIN_DIR}
RUNS=${BENCH_RUNS:-20}
PUSH_RUNS=${PUSH_RUNS:-3}
PUSH_SIZES_MIB=${PUSH_SIZES_MIB:-64 1024}
source "$ROOT/scripts/lib.sh"

TOKEN=plan0token0$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
"$SIMULATORS/simulator" nautobot --inventory "$ROOT/fixtures/nautobot-inventory.json" --token "$TOKEN" \
  --tls-dir "$WORK/nautobot-tls" --ready-file "$WORK/nautobot.url" >/dev/null &
PIDS+=($!)
mkdir -p "$WORK/images"
"$SIMULATORS/simulator" files --directory "$WORK/images" --ready-file "$WORK/files.url" >/dev/null &
PIDS+=($!)
"$SIMULATORS/simulator" bmc --personality idrac9 --account root:Bench-Passw0rd --session-limit 64 --task-seconds 0.01 \
  --tls-dir "$WORK/bmc-tls" --ready-file "$WORK/bmc.url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/nautobot.url"
wait_ready "$WORK/files.url"
wait_ready "$WORK/bmc.url"
NB=$(cat "$WORK/nautobot.url")
FILES=$(cat "$WORK/files.url")
BMC=$(cat "$WORK/bmc.url")
export NAUTOBOT_URL=$NB NAUTOBOT_TOKEN=$TOKEN NAUTOBOT_CA_FILE=$WORK/nautobot-tls/ca.pem OUTPUTS_DIR=$WORK/outputs
export OBM_CA_FILE=$WORK/bmc-tls/ca.pem OBM_USERNAME=root OBM_PASSWORD=Bench-Passw0rd

# --- firmware-plan: two GETs and the plan, next to curl's two GETs in one process.
INVENTORY='{"components":[{"id":"Installed-25227-7.00.60.00","name":"Integrated Dell Remote Access Controller","version":"7.00.60.00","updateable":true,"kind":"bmc","path":"/redfish/v1/UpdateService/FirmwareInventory/Installed-25227-7.00.60.00"},{"id":"Installed-159-1.6.5","name":"BIOS","version":"1.6.5","updateable":true,"kind":"bios","path":"/redfish/v1/UpdateService/FirmwareInventory/Installed-159-1.6.5"}]}'
printf '%s' "$INVENTORY" >"$WORK/inventory.json"
AUTH=(-H "Authorization: Token $TOKEN" -H 'Accept: application/json; version=3.2')
TYPE=$(curl -sS --cacert "$NAUTOBOT_CA_FILE" "${AUTH[@]}" "$NB/api/dcim/devices/?name=host1.domain.local" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["device_type"]["id"])')
ours="$RELEASE/firmware-plan --hostname host1.domain.local --inventory @$WORK/inventory.json"
floor="curl -sS --cacert $NAUTOBOT_CA_FILE -H 'Authorization: Token $TOKEN' -H 'Accept: application/json; version=3.2' -o /dev/null '$NB/api/dcim/devices/?name=host1.domain.local' --next -sS --cacert $NAUTOBOT_CA_FILE -H 'Authorization: Token $TOKEN' -H 'Accept: application/json; version=3.2' -o /dev/null '$NB/api/dcim/software-image-files/?device_types=$TYPE&depth=2'"
measure ours "$ours"
measure floor "$floor"
read -r t tmin tmax <<<"$(stats "$WORK/ours.time")"
read -r c cmin cmax <<<"$(stats "$WORK/floor.time")"
read -r r rmin rmax <<<"$(stats "$WORK/ours.rss")"
read -r cr crmin crmax <<<"$(stats "$WORK/floor.rss")"

echo
echo "## Firmware compliance: firmware-plan, and the verified push"
echo
echo "**firmware-plan** (\`--inventory\` given: the device by name, its device type's software image files at depth 2, the plan) against the Nautobot simulator over TLS, next to one \`curl\` process making the same two requests. $RUNS runs, median (min–max)."
echo
echo "| | wall ms | curl wall ms | ratio | peak RSS MiB | curl peak RSS MiB | ratio |"
echo "|---|---|---|---|---|---|---|"
python3 - "$t" "$tmin" "$tmax" "$c" "$cmin" "$cmax" "$r" "$rmin" "$rmax" "$cr" "$crmin" "$crmax" <<'PY'
import sys
t, tmin, tmax, c, cmin, cmax, r, rmin, rmax, cr, crmin, crmax = map(float, sys.argv[1:])
ms = lambda x: "%.1f" % (x * 1000)
mib = lambda x: "%.1f" % (x / 1024)
print(f"| firmware-plan | {ms(t)} ({ms(tmin)}–{ms(tmax)}) | {ms(c)} ({ms(cmin)}–{ms(cmax)}) | {t / c:.2f}× | {mib(r)} ({mib(rmin)}–{mib(rmax)}) | {mib(cr)} ({mib(crmin)}–{mib(crmax)}) | {r / cr:.2f}× |")
PY

# --- The push: one image, three ways, alternated run by run, at each size.
echo
echo "**The push** of an image into the BMC simulator's MultipartHttpPushUri (iDRAC 9, TLS on loopback; it writes what it receives to disk): obm-firmware-update from a plan (sha256 verified while it streams, the last 64 KiB held until the digest matches), the same step from a URL without a checksum, and the same bytes moved by two curls in sequence (\`curl -o\` to a file, then \`curl -F UpdateFile=@file\`, an exact length). The step's time includes its login, the login history and the task. $PUSH_RUNS runs of each, alternated; median (min–max)."
echo
echo "| image | way | MiB/s | ratio to the two curls | peak RSS MiB |"
echo "|---|---|---|---|---|"
push_once() { # MiB → a row per way
  local mib=$1 fresh token
  head -c $((mib * 1048576)) /dev/urandom >"$WORK/images/image.bin"
  printf '{"hostname":"bench","verdict":"outdated","components":[{"name":"Integrated Dell Remote Access Controller","kind":"bmc","current":"7.00.60.00","target":"7.10.30.00","action":"update","image":{"url":"%s/image.bin","checksum":"%s","algorithm":"sha256","size":%d}}]}' \
    "$FILES" "$(sha256sum "$WORK/images/image.bin" | cut -d' ' -f1)" $((mib * 1048576)) >"$WORK/plan.json"
  : >"$WORK/verified"; : >"$WORK/unverified"; : >"$WORK/curls"
  for _ in $(seq "$PUSH_RUNS"); do
    # A BMC of its own at 7.00.60.00 for each verified push: one at the plan's target is not flashed again.
    rm -f "$WORK/fresh.url"
    "$SIMULATORS/simulator" bmc --personality idrac9 --account root:Bench-Passw0rd --task-seconds 0.01 \
      --tls-dir "$WORK/fresh-tls" --ready-file "$WORK/fresh.url" >/dev/null &
    fresh=$!
    wait_ready "$WORK/fresh.url"
    OBM_CA_FILE=$WORK/fresh-tls/ca.pem /usr/bin/time -f '%e %M' -o "$WORK/one" "$RELEASE/obm-firmware-update" \
      --host "$(sed 's#https://##' "$WORK/fresh.url")" --poll-interval 0.05 --plan "@$WORK/plan.json" >/dev/null 2>"$WORK/err" ||
      { cat "$WORK/err" >&2; exit 1; }
    grep -q "the firmware inventory shows the target" "$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    kill "$fresh"; wait "$fresh" 2>/dev/null || true
    cat "$WORK/one" >>"$WORK/verified"
    /usr/bin/time -f '%e %M' -o "$WORK/one" "$RELEASE/obm-firmware-update" --host "${BMC#https://}" --poll-interval 0.05 \
      --method multipart --firmware-url "$FILES/image.bin" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    cat "$WORK/one" >>"$WORK/unverified"
    token=$(curl -sS --cacert "$OBM_CA_FILE" -D - -o /dev/null -H 'Content-Type: application/json' \
      -d '{"UserName":"root","Password":"Bench-Passw0rd"}' "$BMC/redfish/v1/SessionService/Sessions" | tr -d '\r' | sed -n 's/^X-Auth-Token: //Ip')
    /usr/bin/time -f '%e %M' -o "$WORK/one" bash -c "curl -sS -o '$WORK/download.bin' '$FILES/image.bin' && curl -sS --cacert '$OBM_CA_FILE' \
      -H 'X-Auth-Token: $token' -H 'Expect:' -F 'UpdateParameters={\"Targets\":[]};type=application/json' \
      -F 'UpdateFile=@$WORK/download.bin;type=application/octet-stream' '$BMC/redfish/v1/UpdateService/MultipartUpload' -o /dev/null"
    cat "$WORK/one" >>"$WORK/curls"
    rm -f "$WORK/download.bin"
  done
  rm -f "$WORK/images/image.bin"
  python3 - "$mib" "$WORK/verified" "$WORK/unverified" "$WORK/curls" <<'PY'
import statistics, sys
mib = int(sys.argv[1])
def read(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return [float(r[0]) for r in rows], [float(r[1]) / 1024 for r in rows]
rate = lambda t: mib / t if t > 0 else float("nan")
ways = [("obm-firmware-update --plan (sha256 verified, streamed)", sys.argv[2]),
        ("obm-firmware-update --firmware-url (unverified, streamed)", sys.argv[3]),
        ("curl -o, then curl -F (two curls in sequence)", sys.argv[4])]
curls = rate(statistics.median(read(sys.argv[4])[0]))
for name, path in ways:
    times, rss = read(path)
    r = rate(statistics.median(times))
    print(f"| {mib} MiB | {name} | {r:.0f} ({rate(max(times)):.0f}–{rate(min(times)):.0f}) | {r / curls:.2f}× | "
          f"{statistics.median(rss):.1f} ({min(rss):.1f}–{max(rss):.1f}) |")
PY
}
for size in $PUSH_SIZES_MIB; do push_once "$size"; done
echo
echo "Targets: the verified push at least as fast as the two curls in sequence; peak RSS flat whatever the image size."
