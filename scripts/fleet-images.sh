#!/usr/bin/env bash
# Writes the rack's firmware images (fixtures/fleet-inventory.json, `software`) into FOLDER for
# `simulator files --directory FOLDER`: every image file on record of at most 1 MiB, as that many
# zero bytes under the last part of its URL (the files simulator serves by that name). The sizes
# and checksums on record are of those bytes, except the one the fixture marks wrong on purpose.
set -euo pipefail
folder=${1:?usage: fleet-images.sh FOLDER}
root=$(cd "$(dirname "$0")/.." && pwd)
python3 - "$root/fixtures/fleet-inventory.json" "$folder" <<'PY'
import json, os, sys
inventory, folder = sys.argv[1], sys.argv[2]
os.makedirs(folder, exist_ok=True)
for platform in json.load(open(inventory)).get("software", []):
    for version in platform["versions"]:
        for image in version["files"]:
            size = image.get("size")
            if size is None or size > 1 << 20:
                continue
            with open(os.path.join(folder, image["url"].rsplit("/", 1)[-1]), "wb") as out:
                out.truncate(size)
PY
