import JSON

/// How Nautobot 3.2.7 renders objects (shapes from reference/nautobot-3.2.7/samples): a nested
/// object at depth 0 is `{id, object_type, url}`; at depth 1 it is the object itself.
struct NautobotRepresentation {
    let inventory: NautobotInventory
    let origin: String

    func url(_ endpoint: String, _ id: String) -> JSONValue { .string("\(origin)/api/\(endpoint)/\(id)/") }

    func reference(_ objectType: String, _ endpoint: String, _ id: String) -> JSONValue {
        ["id": .string(id), "object_type": .string(objectType), "url": url(endpoint, id)]
    }

    func nested(_ objectType: String, _ endpoint: String, _ id: String, depth: Int, full: () -> JSONValue) -> JSONValue {
        depth > 0 ? full() : reference(objectType, endpoint, id)
    }

    func status(depth: Int, id: String? = nil) -> JSONValue {
        let id = id ?? inventory.activeStatusID
        return nested("extras.status", "extras/statuses", id, depth: depth) {
            let name = inventory.statusName(id)
            return [
                "id": .string(id), "object_type": "extras.status", "display": .string(name), "url": url("extras/statuses", id),
                "name": .string(name), "color": "4caf50",
            ]
        }
    }

    func location(_ id: String, depth: Int) -> JSONValue {
        nested("dcim.location", "dcim/locations", id, depth: depth) {
            let name = inventory.location(id)?.name ?? ""
            return [
                "id": .string(id), "object_type": "dcim.location", "display": .string(name),
                "url": url("dcim/locations", id), "name": .string(name), "status": status(depth: 0),
            ]
        }
    }

    func deviceType(_ id: String, depth: Int) -> JSONValue {
        nested("dcim.devicetype", "dcim/device-types", id, depth: depth) {
            let type = inventory.deviceType(id)
            return [
                // Measured on 3.2.7 (device-depth1-device_type.json): "Dell PowerEdge R650".
                "id": .string(id), "object_type": "dcim.devicetype",
                "display": .string(type.map { "\($0.manufacturer) \($0.model)" } ?? ""),
                "url": url("dcim/device-types", id), "model": .string(type?.model ?? ""),
            ]
        }
    }

    func device(_ device: NautobotInventory.Device, depth: Int) -> JSONValue {
        let slug = device.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return [
            "id": .string(device.id), "object_type": "dcim.device", "display": .string(device.name),
            "url": url("dcim/devices", device.id), "natural_slug": .string(slug + "_" + device.id.prefix(4)),
            "face": nil, "local_config_context_data": nil, "name": .string(device.name), "serial": "",
            "asset_tag": nil, "position": nil, "comments": "",
            "device_type": deviceType(device.deviceTypeID, depth: depth - 1 + 1 > 0 ? depth : 0),
            "status": status(depth: depth),
            "role": nested("extras.role", "extras/roles", inventory.roleID, depth: depth) {
                [
                    "id": .string(inventory.roleID), "object_type": "extras.role", "display": "server",
                    "url": url("extras/roles", inventory.roleID), "name": "server",
                ]
            },
            "tenant": nil, "platform": nil, "location": location(device.locationID, depth: depth), "rack": nil,
            "primary_ip4": nil, "primary_ip6": nil, "virtual_chassis": nil, "software_version": nil,
            "secrets_group": nil, "created": "2026-11-26T21:13:51.954531Z", "last_updated": "2026-11-26T21:13:51.954544Z",
            "notes_url": .string("\(origin)/api/dcim/devices/\(device.id)/notes/"), "custom_fields": [:], "tags": [],
        ]
    }

    func ipAddress(_ address: NautobotInventory.IPAddress, depth: Int) -> JSONValue {
        [
            "id": .string(address.id), "object_type": "ipam.ipaddress", "display": .string(address.address),
            "url": url("ipam/ip-addresses", address.id), "address": .string(address.address),
            "host": .string(address.host), "mask_length": .integer(address.maskLength),
            "ip_version": .integer(address.host.contains(":") ? 6 : 4), "type": "host", "dns_name": "",
            "status": status(depth: depth),
        ]
    }

    func interface(_ interface: NautobotInventory.Interface, depth: Int, includeM2M: Bool) -> JSONValue {
        let addresses = inventory.addresses.filter { $0.interfaceID == interface.id }
        var members: [JSONMember] = [
            JSONMember("id", .string(interface.id)), JSONMember("object_type", "dcim.interface"),
            JSONMember("display", .string(interface.name)), JSONMember("url", url("dcim/interfaces", interface.id)),
            JSONMember("type", ["value": "1000base-t", "label": "1000BASE-T (1GE)"]),
            JSONMember("mac_address", nil), JSONMember("ip_address_count", .integer(addresses.count)),
            JSONMember("name", .string(interface.name)), JSONMember("label", ""), JSONMember("enabled", true),
            JSONMember("mgmt_only", .bool(interface.mgmtOnly)),
        ]
        if let device = inventory.device(interface.deviceID) {
            members.append(
                JSONMember("device", depth > 0 ? self.device(device, depth: 0) : reference("dcim.device", "dcim/devices", device.id)))
        }
        members.append(JSONMember("status", status(depth: depth)))
        if includeM2M {
            let rendered = addresses.map { depth > 0 ? ipAddress($0, depth: 0) : reference("ipam.ipaddress", "ipam/ip-addresses", $0.id) }
            members.append(JSONMember("ip_addresses", .array(rendered)))
        }
        return .object(members)
    }

    func link(_ address: NautobotInventory.IPAddress, depth: Int) -> JSONValue {
        let id = "11" + address.id.dropFirst(2)
        return [
            "id": .string(id), "object_type": "ipam.ipaddresstointerface", "display": .string(address.address),
            "url": url("ipam/ip-address-to-interface", id),
            "ip_address": depth > 0 ? ipAddress(address, depth: 0) : reference("ipam.ipaddress", "ipam/ip-addresses", address.id),
            "interface": reference("dcim.interface", "dcim/interfaces", address.interfaceID),
        ]
    }

    func platform(_ id: String, depth: Int) -> JSONValue {
        nested("dcim.platform", "dcim/platforms", id, depth: depth) {
            let platform = inventory.platform(id)
            return [
                "id": .string(id), "object_type": "dcim.platform", "display": .string(platform?.name ?? ""),
                "url": url("dcim/platforms", id), "name": .string(platform?.name ?? ""), "network_driver": "", "description": "",
            ]
        }
    }

    func softwareVersion(_ id: String, depth: Int) -> JSONValue {
        nested("dcim.softwareversion", "dcim/software-versions", id, depth: depth) {
            guard let version = inventory.softwareVersion(id) else {
                return reference("dcim.softwareversion", "dcim/software-versions", id)
            }
            let platformName = inventory.platform(version.platformID)?.name ?? ""
            return [
                "id": .string(id), "object_type": "dcim.softwareversion", "display": .string("\(platformName) - \(version.version)"),
                "url": url("dcim/software-versions", id), "version": .string(version.version), "alias": "", "release_date": nil,
                "end_of_support_date": nil, "documentation_url": "", "long_term_support": false, "pre_release": false,
                "platform": platform(version.platformID, depth: depth - 1), "status": status(depth: depth - 1, id: version.statusID),
            ]
        }
    }

    /// As 3.2.7 renders it (Tests/Fixtures/nautobot-3.2.7): empty strings for a checksum,
    /// algorithm or URL never set, null for an unknown size.
    func imageFile(_ file: NautobotInventory.SoftwareImageFile, depth: Int) -> JSONValue {
        [
            "id": .string(file.id), "object_type": "dcim.softwareimagefile", "display": .string(file.name),
            "url": url("dcim/software-image-files", file.id), "image_file_name": .string(file.name),
            "image_file_checksum": .string(file.checksum), "hashing_algorithm": .string(file.algorithm),
            "image_file_size": file.size.map { .integer($0) } ?? nil, "download_url": .string(file.url),
            "default_image": .bool(file.isDefault), "software_version": softwareVersion(file.versionID, depth: depth),
            "external_integration": nil, "status": status(depth: depth), "custom_fields": [:], "tags": [],
        ]
    }

    func inventoryItem(_ item: NautobotInventory.InventoryItem, depth: Int) -> JSONValue {
        [
            "id": .string(item.id), "object_type": "dcim.inventoryitem", "display": .string(item.name),
            "url": url("dcim/inventory-items", item.id), "name": .string(item.name), "label": "",
            "description": .string(item.description), "part_id": .string(item.partID), "serial": "", "asset_tag": nil,
            "discovered": .bool(item.discovered), "parent": nil, "device": reference("dcim.device", "dcim/devices", item.deviceID),
            "manufacturer": nil, "software_version": item.softwareVersionID.map { softwareVersion($0, depth: depth) } ?? nil,
            "custom_fields": [:], "tags": [],
        ]
    }

    func note(_ note: NautobotInventory.Note) -> JSONValue {
        [
            "id": .string(note.id), "object_type": "extras.note", "url": url("extras/notes", note.id),
            "assigned_object_type": "dcim.device", "assigned_object": reference("dcim.device", "dcim/devices", note.deviceID),
            "assigned_object_id": .string(note.deviceID), "user_name": "simulator", "note": .string(note.text),
        ]
    }
}
