#!/usr/bin/env python3
"""Loads fixtures/nautobot-inventory.json into a real Nautobot through its REST API.

Idempotent: objects that exist are found, not created again. The same file is what the Nautobot
simulator serves, so the tests can hold the simulator to the real server's answers.

    scripts/load-nautobot-inventory.py URL TOKEN [INVENTORY] [--without-software]

`--without-software` loads the devices only: CI loads the 50-host rack's devices
(fixtures/fleet-inventory.json) beside the test inventory, whose baseline then serves both.
"""
import ipaddress
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

WITHOUT_SOFTWARE = "--without-software" in sys.argv
ARGUMENTS = [argument for argument in sys.argv[1:] if argument != "--without-software"]
URL, TOKEN = ARGUMENTS[0].rstrip("/"), ARGUMENTS[1]
INVENTORY = ARGUMENTS[2] if len(ARGUMENTS) > 2 else os.path.join(
    os.path.dirname(__file__), "..", "fixtures", "nautobot-inventory.json")


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(URL + "/api" + path, data=data, method=method, headers={
        "Authorization": "Token " + TOKEN, "Accept": "application/json",
        "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        sys.exit(f"load-nautobot-inventory: {method} {path}: {error.code} {error.read()[:500]!r}")


def find(path, **filters):
    query = urllib.parse.urlencode(filters)
    return call("GET", f"{path}?{query}")["results"]


def ensure(path, body, **filters):
    found = find(path, **filters)
    return found[0] if found else call("POST", path, body)


inventory = json.load(open(INVENTORY))
active = find("/extras/statuses/", name="Active")[0]["id"]
namespace = find("/ipam/namespaces/", name="Global")[0]["id"]
role = ensure("/extras/roles/", {"name": "server", "content_types": ["dcim.device"]}, name="server")["id"]
site = ensure("/dcim/location-types/", {"name": "Site", "content_types": ["dcim.device", "ipam.prefix"]},
              name="Site")["id"]
locations = {name: ensure("/dcim/locations/", {"name": name, "location_type": site, "status": active},
                          name=name)["id"] for name in inventory["locations"]}

for device in inventory["devices"]:
    maker = ensure("/dcim/manufacturers/", {"name": device["manufacturer"]}, name=device["manufacturer"])["id"]
    model = ensure("/dcim/device-types/", {"manufacturer": maker, "model": device["model"]},
                   model=device["model"])["id"]
    location = locations[device["location"]]
    made = ensure("/dcim/devices/", {"name": device["name"], "device_type": model, "role": role,
                                     "location": location, "status": active},
                  name=device["name"], location=location)
    for interface in device["interfaces"]:
        iface = ensure("/dcim/interfaces/", {"device": made["id"], "name": interface["name"], "type": "1000base-t",
                                             "status": active, "mgmt_only": interface.get("mgmt_only", False)},
                       device_id=made["id"], name=interface["name"])
        for address in interface["addresses"]:
            network = str(ipaddress.ip_interface(address).network)
            ensure("/ipam/prefixes/", {"prefix": network, "namespace": namespace, "status": active},
                   prefix=network, namespace=namespace)
            ip = ensure("/ipam/ip-addresses/", {"address": address, "namespace": namespace, "status": active,
                                                "type": "host"}, address=address, namespace=namespace)
            if not find("/ipam/ip-address-to-interface/", ip_address=ip["id"], interface=iface["id"]):
                call("POST", "/ipam/ip-address-to-interface/", {"ip_address": ip["id"], "interface": iface["id"]})

# The firmware baseline: platforms, software versions with their status, image files, and (as
# 3.2.7 ignores `device_types` on an image file's POST) the device-type links through their table.
statuses = {}
files = 0
for platform in [] if WITHOUT_SOFTWARE else inventory.get("software", []):
    maker = ensure("/dcim/manufacturers/", {"name": platform["manufacturer"]}, name=platform["manufacturer"])["id"]
    made_platform = ensure("/dcim/platforms/", {"name": platform["platform"], "manufacturer": maker},
                           name=platform["platform"])["id"]
    for version in platform["versions"]:
        if version["status"] not in statuses:
            statuses[version["status"]] = find("/extras/statuses/", name=version["status"])[0]["id"]
        made_version = ensure("/dcim/software-versions/", {"platform": made_platform, "version": version["version"],
                                                           "status": statuses[version["status"]]},
                              platform=made_platform, version=version["version"])["id"]
        for image in version["files"]:
            made_file = ensure("/dcim/software-image-files/", {
                "software_version": made_version, "image_file_name": image["name"], "status": active,
                "image_file_checksum": image["checksum"], "hashing_algorithm": image["algorithm"],
                "image_file_size": image["size"], "download_url": image["url"], "default_image": image["default"]},
                software_version=made_version, image_file_name=image["name"])["id"]
            files += 1
            for model in image["device_types"]:
                device_type = find("/dcim/device-types/", model=model)[0]["id"]
                ensure("/dcim/device-types-to-software-image-files/",
                       {"device_type": device_type, "software_image_file": made_file},
                       device_type=device_type, software_image_file=made_file)

print(f"load-nautobot-inventory: {len(inventory['devices'])} devices and {files} software image files in {URL}",
      file=sys.stderr)
