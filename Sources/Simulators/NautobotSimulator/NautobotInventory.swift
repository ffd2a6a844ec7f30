import JSON

/// The objects a simulated Nautobot holds, read from the same inventory file that
/// `scripts/load-nautobot-inventory.py` loads into a real one.
public struct NautobotInventory: Sendable {
    public struct Location: Sendable { public var id: String; public var name: String }
    public struct DeviceType: Sendable { public var id: String; public var manufacturer: String; public var model: String }
    public struct Device: Sendable {
        public var id: String
        public var name: String
        public var locationID: String
        public var deviceTypeID: String
    }
    public struct Interface: Sendable {
        public var id: String
        public var deviceID: String
        public var name: String
        public var mgmtOnly: Bool
    }
    public struct IPAddress: Sendable {
        public var id: String
        public var address: String
        public var interfaceID: String
        public var host: String { String(address.prefix { $0 != "/" }) }
        public var maskLength: Int { Int(address.split(separator: "/").last ?? "") ?? 32 }
    }

    public var locations: [Location] = []
    public var deviceTypes: [DeviceType] = []
    public var devices: [Device] = []
    public var interfaces: [Interface] = []
    public var addresses: [IPAddress] = []
    public let activeStatusID = "9c36c964-cda4-4674-8bd1-cfb9f5fed93e"
    public let roleID = "69e9828c-09cc-4289-a69a-5cee30519b1d"

    /// Builds the inventory from the fixture's JSON. Ids are stable across runs: UUID-shaped,
    /// numbered per kind.
    public init(json: JSONValue) throws {
        var counter = 0
        func nextID(_ kind: String) -> String {
            counter += 1
            let number = String(counter)
            return kind + "-0000-4000-8000-" + String(repeating: "0", count: 12 - number.count) + number
        }
        for name in json["locations"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            locations.append(Location(id: nextID("10c00000"), name: name))
        }
        for entry in json["devices"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let locationName = entry["location"]?.stringValue,
                let location = locations.first(where: { $0.name == locationName })
            else { throw InventoryError("a device without a name or a known location") }
            let manufacturer = entry["manufacturer"]?.stringValue ?? "Generic"
            let model = entry["model"]?.stringValue ?? "server"
            let type: DeviceType
            if let known = deviceTypes.first(where: { $0.model == model }) {
                type = known
            } else {
                type = DeviceType(id: nextID("d7000000"), manufacturer: manufacturer, model: model)
                deviceTypes.append(type)
            }
            let device = Device(id: nextID("de000000"), name: name, locationID: location.id, deviceTypeID: type.id)
            devices.append(device)
            for interfaceEntry in entry["interfaces"]?.arrayValue ?? [] {
                let interface = Interface(
                    id: nextID("1f000000"), deviceID: device.id,
                    name: interfaceEntry["name"]?.stringValue ?? "eth0",
                    mgmtOnly: interfaceEntry["mgmt_only"]?.boolValue ?? false
                )
                interfaces.append(interface)
                for address in interfaceEntry["addresses"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                    addresses.append(IPAddress(id: nextID("1a000000"), address: address, interfaceID: interface.id))
                }
            }
        }
    }

    public func device(_ id: String) -> Device? { devices.first { $0.id == id } }
    public func location(_ id: String) -> Location? { locations.first { $0.id == id } }
    public func interface(_ id: String) -> Interface? { interfaces.first { $0.id == id } }
    public func deviceType(_ id: String) -> DeviceType? { deviceTypes.first { $0.id == id } }
}

/// An inventory file that cannot be read.
public struct InventoryError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
