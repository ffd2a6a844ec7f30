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

    public struct Platform: Sendable { public var id: String; public var name: String; public var manufacturer: String }
    public struct SoftwareVersion: Sendable {
        public var id: String
        public var platformID: String
        public var version: String
        public var statusID: String
    }
    public struct SoftwareImageFile: Sendable {
        public var id: String
        public var versionID: String
        public var name: String
        public var url: String
        public var checksum: String
        public var algorithm: String
        public var size: Int?
        public var isDefault: Bool
        public var deviceTypeIDs: [String]
    }

    /// What `firmware-plan --record` writes.
    public struct InventoryItem: Sendable {
        public var id: String
        public var deviceID: String
        public var name: String
        public var partID: String
        public var softwareVersionID: String?
        public var discovered: Bool
        public var description: String
    }
    public struct Note: Sendable {
        public var id: String
        public var deviceID: String
        public var text: String
    }

    public var locations: [Location] = []
    public var deviceTypes: [DeviceType] = []
    public var devices: [Device] = []
    public var interfaces: [Interface] = []
    public var addresses: [IPAddress] = []
    public var platforms: [Platform] = []
    public var softwareVersions: [SoftwareVersion] = []
    public var imageFiles: [SoftwareImageFile] = []
    public var inventoryItems: [InventoryItem] = []
    public var notes: [Note] = []
    private var writtenCount = 0
    public let activeStatusID = "9c36c964-cda4-4674-8bd1-cfb9f5fed93e"
    /// The statuses a fresh 3.2.7 offers software versions and image files, by id.
    public let statuses: [(id: String, name: String)] = [
        ("9c36c964-cda4-4674-8bd1-cfb9f5fed93e", "Active"), ("5e0f5a9c-1d2b-4e8a-9f3c-7b6d4a2e1c01", "End-of-Life"),
        ("5e0f5a9c-1d2b-4e8a-9f3c-7b6d4a2e1c02", "Extended Support"),
    ]
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
        try readSoftware(json["software"]?.arrayValue ?? [], nextID: nextID)
    }

    /// The firmware baseline: platforms, their versions, and the versions' image files with the
    /// device types (by model) they apply to.
    mutating func readSoftware(_ entries: [JSONValue], nextID: (String) -> String) throws {
        for entry in entries {
            guard let name = entry["platform"]?.stringValue, let manufacturer = entry["manufacturer"]?.stringValue else {
                throw InventoryError("a software platform without a name or manufacturer")
            }
            let platform = Platform(id: nextID("9f000000"), name: name, manufacturer: manufacturer)
            platforms.append(platform)
            for versionEntry in entry["versions"]?.arrayValue ?? [] {
                guard let text = versionEntry["version"]?.stringValue, let statusName = versionEntry["status"]?.stringValue,
                    let status = statuses.first(where: { $0.name == statusName })
                else { throw InventoryError("a software version of \(name) without a version or a known status") }
                let version = SoftwareVersion(id: nextID("5f000000"), platformID: platform.id, version: text, statusID: status.id)
                softwareVersions.append(version)
                for file in versionEntry["files"]?.arrayValue ?? [] {
                    guard let fileName = file["name"]?.stringValue else {
                        throw InventoryError("an image file of \(name) \(text) without a name")
                    }
                    let models = file["device_types"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    let types = try models.map { model in
                        guard let type = deviceTypes.first(where: { $0.model == model }) else {
                            throw InventoryError("image file \(fileName): no device type \(model)")
                        }
                        return type.id
                    }
                    imageFiles.append(
                        SoftwareImageFile(
                            id: nextID("1f100000"), versionID: version.id, name: fileName, url: file["url"]?.stringValue ?? "",
                            checksum: file["checksum"]?.stringValue ?? "", algorithm: file["algorithm"]?.stringValue ?? "",
                            size: file["size"]?.intValue, isDefault: file["default"]?.boolValue ?? false, deviceTypeIDs: types))
                }
            }
        }
    }

    /// A UUID-shaped id for an object written through the API, numbered in the order written.
    mutating func nextWrittenID(_ kind: String) -> String {
        writtenCount += 1
        let number = String(writtenCount)
        return kind + "-0000-4000-8000-" + String(repeating: "0", count: 12 - number.count) + number
    }

    public func device(_ id: String) -> Device? { devices.first { $0.id == id } }
    public func platform(_ id: String) -> Platform? { platforms.first { $0.id == id } }
    /// The image host the fixtures name: never resolved; `--image-server` stands in for it.
    public static let fixtureImageHost = "https://firmware.example"

    /// Points the image files' URLs on the fixtures' image host at `server` instead (a test's or
    /// the demo's image server, on a port of its own), keeping their paths.
    public mutating func serveImages(from server: String) {
        for index in imageFiles.indices where imageFiles[index].url.hasPrefix(Self.fixtureImageHost + "/") {
            imageFiles[index].url = server + imageFiles[index].url.dropFirst(Self.fixtureImageHost.count)
        }
    }

    public func softwareVersion(_ id: String) -> SoftwareVersion? { softwareVersions.first { $0.id == id } }
    public func statusName(_ id: String) -> String { statuses.first { $0.id == id }?.name ?? "Active" }
    public func location(_ id: String) -> Location? { locations.first { $0.id == id } }
    public func interface(_ id: String) -> Interface? { interfaces.first { $0.id == id } }
    public func deviceType(_ id: String) -> DeviceType? { deviceTypes.first { $0.id == id } }
}

/// An inventory file that cannot be read.
public struct InventoryError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
