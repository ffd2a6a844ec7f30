import JSON
import SimulatorSupport

/// The writes `firmware-plan --record` makes, answered as Nautobot 3.2.7 does
/// (Tests/Fixtures/nautobot-3.2.7): 201 with the object made, 400 `{"field": ["message"]}` for a
/// missing field or a broken uniqueness rule, 404 for an unknown object.
extension NautobotSimulator {
    /// nil: the method is not allowed on this path (405).
    func write(_ request: SimulatedRequest) -> SimulatedResponse? {
        let body = (try? JSONValue(parsing: request.body)) ?? [:]
        let origin = request.origin
        switch (request.method, request.path) {
        case ("POST", "/api/dcim/platforms/"):
            return created(body, required: ["name"]) { inventory in
                let name = body["name"]?.stringValue ?? ""
                guard !inventory.platforms.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                    return .json(400, ["name": ["platform with this name already exists."]])
                }
                let platform = NautobotInventory.Platform(id: inventory.nextWrittenID("9f100000"), name: name, manufacturer: "")
                inventory.platforms.append(platform)
                return .json(201, NautobotRepresentation(inventory: inventory, origin: origin).platform(platform.id, depth: 1))
            }
        case ("POST", "/api/dcim/software-versions/"):
            return created(body, required: ["platform", "version", "status"]) { inventory in
                guard let platform = inventory.platform(body["platform"]?.stringValue ?? "") else {
                    return .json(400, ["platform": ["Related object not found using the provided attribute(s)"]])
                }
                let version = body["version"]?.stringValue ?? ""
                guard !inventory.softwareVersions.contains(where: { $0.platformID == platform.id && $0.version == version }) else {
                    return .json(400, ["non_field_errors": ["The fields platform, version must make a unique set."]])
                }
                let made = NautobotInventory.SoftwareVersion(
                    id: inventory.nextWrittenID("5f100000"), platformID: platform.id, version: version,
                    statusID: body["status"]?.stringValue ?? inventory.activeStatusID)
                inventory.softwareVersions.append(made)
                return .json(201, NautobotRepresentation(inventory: inventory, origin: origin).softwareVersion(made.id, depth: 1))
            }
        case ("POST", "/api/dcim/inventory-items/"):
            return created(body, required: ["device", "name"]) { inventory in
                guard inventory.device(body["device"]?.stringValue ?? "") != nil else {
                    return .json(400, ["device": ["Related object not found using the provided attribute(s)"]])
                }
                var item = NautobotInventory.InventoryItem(
                    id: inventory.nextWrittenID("11100000"), deviceID: body["device"]?.stringValue ?? "",
                    name: body["name"]?.stringValue ?? "",
                    partID: body["part_id"]?.stringValue ?? "", softwareVersionID: nil, discovered: body["discovered"]?.boolValue ?? false,
                    description: body["description"]?.stringValue ?? "")
                if let refusal = Self.link(body, into: &item, inventory) { return refusal }
                inventory.inventoryItems.append(item)
                return .json(201, NautobotRepresentation(inventory: inventory, origin: origin).inventoryItem(item, depth: 0))
            }
        case ("PATCH", let path) where path.hasPrefix("/api/dcim/inventory-items/"):
            let id = String(path.dropFirst("/api/dcim/inventory-items/".count).prefix { $0 != "/" })
            return store.withLock { inventory in
                guard let index = inventory.inventoryItems.firstIndex(where: { $0.id == id }) else {
                    return .json(404, ["detail": "No InventoryItem matches the given query."])
                }
                var item = inventory.inventoryItems[index]
                if let name = body["name"]?.stringValue { item.name = name }
                if let refusal = Self.link(body, into: &item, inventory) { return refusal }
                inventory.inventoryItems[index] = item
                return .json(200, NautobotRepresentation(inventory: inventory, origin: origin).inventoryItem(item, depth: 0))
            }
        case ("POST", let path):
            guard let deviceID = Self.notesPath(path) else { return nil }
            return created(body, required: ["note"]) { inventory in
                guard inventory.device(deviceID) != nil else { return .json(404, ["detail": "Not found."]) }
                let note = NautobotInventory.Note(
                    id: inventory.nextWrittenID("e0100000"), deviceID: deviceID, text: body["note"]?.stringValue ?? "")
                inventory.notes.append(note)
                return .json(201, NautobotRepresentation(inventory: inventory, origin: origin).note(note))
            }
        default:
            return nil
        }
    }

    /// A POST: every required field present (else 400 naming each), then `make` under the lock.
    private func created(_ body: JSONValue, required: [String], make: (inout NautobotInventory) -> SimulatedResponse) -> SimulatedResponse {
        let missing = required.filter { body[$0] == nil || body[$0] == .null }
        guard missing.isEmpty else {
            return .json(400, .object(missing.map { JSONMember($0, ["This field is required."]) }))
        }
        return store.withLock { make(&$0) }
    }

    /// `software_version` in a body: an id of a known version, or null to unlink.
    private static func link(_ body: JSONValue, into item: inout NautobotInventory.InventoryItem, _ inventory: NautobotInventory)
        -> SimulatedResponse?
    {
        guard let value = body["software_version"] else { return nil }
        if value == .null {
            item.softwareVersionID = nil
            return nil
        }
        guard let id = value.stringValue, inventory.softwareVersion(id) != nil else {
            return .json(400, ["software_version": ["Related object not found using the provided attribute(s)"]])
        }
        item.softwareVersionID = id
        return nil
    }

    /// `/api/dcim/devices/<id>/notes/`: the device's id.
    static func notesPath(_ path: String) -> String? {
        guard path.hasPrefix("/api/dcim/devices/"), path.hasSuffix("/notes/") else { return nil }
        let id = path.dropFirst("/api/dcim/devices/".count).dropLast("/notes/".count)
        return id.contains("/") || id.isEmpty ? nil : String(id)
    }

    func softwareVersions(_ request: SimulatedRequest) throws(FilterRefusal) -> [NautobotInventory.SoftwareVersion] {
        let inventory = self.inventory
        var result = inventory.softwareVersions
        let platforms = request.values("platform")
        for value in platforms where !inventory.platforms.contains(where: { $0.id == value || $0.name == value }) {
            throw FilterRefusal(field: "platform", message: "Select a valid choice. \(value) is not one of the available choices.")
        }
        if !platforms.isEmpty {
            let ids = inventory.platforms.filter { platforms.contains($0.id) || platforms.contains($0.name) }.map(\.id)
            result = result.filter { ids.contains($0.platformID) }
        }
        return filtered(result, request, ["version": \.version, "id": \.id])
    }

    func inventoryItems(_ request: SimulatedRequest) throws(FilterRefusal) -> [NautobotInventory.InventoryItem] {
        let inventory = self.inventory
        var result = inventory.inventoryItems
        let devices = request.values("device")
        for value in devices where !inventory.devices.contains(where: { $0.name == value || $0.id == value }) {
            throw FilterRefusal(field: "device", message: "Select a valid choice. \(value) is not one of the available choices.")
        }
        if !devices.isEmpty {
            result = result.filter { devices.contains($0.deviceID) || devices.contains(inventory.device($0.deviceID)?.name ?? "") }
        }
        return filtered(result, request, ["device_id": \.deviceID, "part_id": \.partID, "id": \.id])
    }

    /// Exact-match filters by field: each given filter keeps what one of its values names.
    func filtered<Object>(_ objects: [Object], _ request: SimulatedRequest, _ fields: [String: KeyPath<Object, String>]) -> [Object] {
        var result = objects
        for (name, field) in fields {
            let values = request.values(name)
            if !values.isEmpty { result = result.filter { values.contains($0[keyPath: field]) } }
        }
        return result
    }
}
