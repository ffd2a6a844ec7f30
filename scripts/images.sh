#!/usr/bin/env bash
# `make images`: builds the six step images with podman, offline. No registry and no Docker
# engine are reachable here, so the two bases are made from Debian packages (mmdebstrap) and
# podman runs with a private configuration (runc, cgroupfs, the machine's ulimits).
#   scripts/images.sh build            # bases if missing, then every image
#   scripts/images.sh env              # the podman variables, for running the images by hand
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${IMAGES_STATE:-/tmp/steps-podman}
VERSION=${VERSION:-0.1.0}
STEPS=(nautobot-api get-device-nautobot get-obm-ip get-obm-creds obm-sync-creds obm-firmware-update get-devices-nautobot fleet-rollout get-firmware-inventory firmware-plan)
SWIFT_DIR=${SWIFT_DIR:-$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")}
MIRROR=${SWIFT_PACKAGE_MIRROR:-/opt/swift-packages}
export CONTAINERS_CONF=$STATE/containers.conf CONTAINERS_STORAGE_CONF=$STATE/storage.conf

log() { printf 'images: %s\n' "$*" >&2; }

configure() {
  mkdir -p "$STATE"
  cat >"$CONTAINERS_CONF" <<CONF
[containers]
netns = "none"
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  cat >"$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "overlay"
graphroot = "$STATE/storage"
runroot = "$STATE/run"
CONF
}

# A base is tagged with a digest of its package list, so a list that changes makes a new base
# instead of reusing one that lacks a library.
RUNTIME_PACKAGES=libcurl4,libyaml-0-2,libstdc++6,ca-certificates
BUILDER_PACKAGES=libc6-dev,libcurl4-openssl-dev,libssl-dev,libyaml-dev,libstdc++-12-dev,libgcc-12-dev,binutils,git,pkg-config,libsqlite3-0,libxml2,zlib1g-dev,ca-certificates,libncurses6,libedit2,libpython3.11,tzdata,gcc
RUNTIME_BASE=localhost/steps-runtime:bookworm-$(printf %s "$RUNTIME_PACKAGES" | sha256sum | cut -c1-12)
BUILDER_BASE=localhost/steps-builder:bookworm-$(printf %s "$BUILDER_PACKAGES" | sha256sum | cut -c1-12)

bases() {
  if ! podman image exists "$RUNTIME_BASE"; then
    log "making the runtime base (libcurl4, libyaml-0-2, ca-certificates) from Debian packages"
    # The extract variant runs no maintainer scripts: the CA bundle is copied in. Docs, man
    # pages, locales and iconv modules are not needed by a step and are left out.
    mmdebstrap --quiet --variant=extract --include="$RUNTIME_PACKAGES" \
      --extract-hook='mkdir -p "$1/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/"' \
      --extract-hook='rm -rf "$1"/usr/share/doc "$1"/usr/share/man "$1"/usr/share/locale "$1"/usr/share/info "$1"/usr/share/lintian "$1"/usr/lib/x86_64-linux-gnu/gconv' \
      bookworm "$STATE/runtime.tar"
    podman import --quiet "$STATE/runtime.tar" "$RUNTIME_BASE" >/dev/null
  fi
  # So that an unchanged `FROM debian:bookworm-slim` resolves locally.
  podman tag "$RUNTIME_BASE" docker.io/library/debian:bookworm-slim
  if ! podman image exists "$BUILDER_BASE"; then
    log "making the builder base (the toolchain's system libraries) from Debian packages"
    mmdebstrap --quiet --variant=apt \
      --include="$BUILDER_PACKAGES" \
      bookworm "$STATE/builder.tar"
    podman import --quiet --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:'"$SWIFT_DIR"'/usr/bin' \
      "$STATE/builder.tar" "$BUILDER_BASE" >/dev/null
  fi
}

build() {
  configure
  bases
  for step in "${STEPS[@]}"; do
    log "building baremetal-steps/$step:$VERSION"
    podman build --quiet --pull=never --network=none --target "$step" --build-arg VERSION="$VERSION" --build-arg BUILDER="$BUILDER_BASE" \
      -v "$SWIFT_DIR:$SWIFT_DIR:ro" -v "$MIRROR:$MIRROR:ro" -v /etc/gitconfig:/etc/gitconfig:ro \
      -t "baremetal-steps/$step:$VERSION" -f "$ROOT/images/Containerfile" "$ROOT" >/dev/null
  done
  podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep baremetal-steps | sort
}

case "${1:-build}" in
build) build ;;
env) echo "export CONTAINERS_CONF=$CONTAINERS_CONF CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF" ;;
*) echo "usage: $0 build|env" >&2; exit 64 ;;
esac
