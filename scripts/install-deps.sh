#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, when any is missing.
set -euo pipefail
packages=(libcurl4-openssl-dev libssl-dev zlib1g-dev libyaml-dev openssl curl ca-certificates)
# `install-deps.sh bench` adds what `make bench` measures with.
[ "${1:-}" = bench ] && packages+=(hyperfine time)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# PyYAML: the tests check the kubeconfig parser against it.
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml 2>&1 | grep -v "Running pip as the 'root' user" || true
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
