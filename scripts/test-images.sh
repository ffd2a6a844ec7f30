#!/usr/bin/env bash
# Runs every step image the way an operator debugging by hand would (`docker run`, here podman):
# --help, exit 64 on bad input, and one real step against the Nautobot simulator in a network
# namespace of its own, its output file collected through a bind mount. Prints each image's size.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=${VERSION:-0.1.0}
SIMULATOR=${1:?usage: test-images.sh SIMULATOR_BIN_DIR}/simulator
eval "$("$ROOT/scripts/images.sh" env)"
source "$ROOT/scripts/lib.sh"
# The network namespace is a bind mount on a file in WORK: unmount it before WORK goes.
trap 'umount "$WORK/netns" 2>/dev/null || true; cleanup' EXIT
failures=0
check() { # description, then the command; the expected status is in $want
  local description=$1; shift
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  local status=$?
  set -e
  if [ "$status" != "$want" ]; then
    echo "test-images: FAIL $description: status $status, expected $want: $(head -c 300 "$WORK/err")" >&2
    failures=$((failures + 1))
  else
    echo "test-images: ok   $description"
  fi
}

for step in nautobot-api get-device-nautobot get-obm-ip get-obm-creds obm-sync-creds obm-firmware-update get-devices-nautobot fleet-rollout get-firmware-inventory firmware-plan; do
  image=baremetal-steps/$step:$VERSION
  want=0 check "$step --help" podman run --rm --network=none "$image" --help
  grep -q "USAGE: $step" "$WORK/out" || { echo "test-images: FAIL $step --help does not show its usage" >&2; failures=$((failures + 1)); }
  want=64 check "$step with no parameters exits 64" podman run --rm --network=none "$image"
  user=$(podman image inspect --format '{{.Config.User}}' "$image")
  [ "$user" = "65532:65532" ] || { echo "test-images: FAIL $step runs as '$user', not 65532" >&2; failures=$((failures + 1)); }
  printf 'test-images: size %-22s %s\n' "$step" "$(podman image inspect --format '{{.Size}}' "$image") bytes"
done

# A real step in a network namespace: the Nautobot simulator listens inside, the container joins it.
touch "$WORK/netns"
unshare --net="$WORK/netns" true
nsenter --net="$WORK/netns" ip link set lo up 2>/dev/null || nsenter --net="$WORK/netns" /sbin/ip link set lo up
TOKEN=images0token0$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
nsenter --net="$WORK/netns" "$SIMULATOR" nautobot --inventory "$ROOT/fixtures/nautobot-inventory.json" --token "$TOKEN" \
  --tls-dir "$WORK/tls" --ready-file "$WORK/url" >/dev/null &
PIDS+=($!)
wait_ready "$WORK/url"
mkdir -p "$WORK/outputs" && chmod 777 "$WORK/outputs"
want=0 check "get-obm-ip against the simulator, output through a bind mount" \
  podman run --rm --network="ns:$WORK/netns" -v "$WORK/outputs:/tmp/outputs" -v "$WORK/tls/ca.pem:/ca.pem:ro" \
  -e NAUTOBOT_URL="$(cat "$WORK/url")" -e NAUTOBOT_TOKEN="$TOKEN" -e NAUTOBOT_CA_FILE=/ca.pem -e INPUT_HOSTNAME=host1.domain.local \
  baremetal-steps/get-obm-ip:$VERSION
if [ "$(cat "$WORK/outputs/ip" 2>/dev/null)" != "10.0.0.11" ]; then
  echo "test-images: FAIL the output file holds '$(cat "$WORK/outputs/ip" 2>/dev/null)', not 10.0.0.11" >&2
  failures=$((failures + 1))
fi
# Kubernetes mounts a file at /dev/termination-log; the step's failure line must land in it.
: >"$WORK/termination-log" && chmod 666 "$WORK/termination-log"
want=75 check "get-obm-ip with Nautobot down exits 75" \
  podman run --rm --network=none -v "$WORK/termination-log:/dev/termination-log" \
  -e NAUTOBOT_URL=https://127.0.0.1:9 -e NAUTOBOT_TOKEN="$TOKEN" baremetal-steps/get-obm-ip:$VERSION --hostname h
if ! grep -q "cannot connect to https://127.0.0.1:9" "$WORK/termination-log"; then
  echo "test-images: FAIL the termination message holds '$(cat "$WORK/termination-log")'" >&2
  failures=$((failures + 1))
fi
[ "$failures" = 0 ] || { echo "test-images: $failures failure(s)" >&2; exit 1; }
echo "test-images: every image passed"
