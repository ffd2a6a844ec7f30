import HTTP
import JSON

/// A selection of devices by Nautobot's own filters, for fleet rollouts: several values of one
/// filter match any of them, different filters must all match.
public struct DeviceSelection: Sendable {
    /// Filter name as the step's option → the Nautobot query parameter.
    public static let filters: [(option: String, query: String)] = [
        ("location", "location"), ("role", "role"), ("tag", "tags"), ("platform", "platform"), ("manufacturer", "manufacturer"),
        ("status", "status"),
    ]

    public var values: [String: [String]]
    public var pageSize: Int

    /// `values`: option name → comma-separated text, as the parameters come.
    public init(values: [String: String?], pageSize: Int = 1000) throws(NautobotError) {
        var parsed: [String: [String]] = [:]
        for (option, _) in Self.filters {
            let items = (values[option] ?? nil)?.split(separator: ",").map { String($0).trimmedWhitespace }.filter { !$0.isEmpty } ?? []
            for item in items where item.count > 100 || item.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw .setting("\(option) \"\(item.prefix(100))\" is not a Nautobot name")
            }
            if !items.isEmpty { parsed[option] = items }
        }
        guard !parsed.isEmpty else {
            throw .setting(
                "give at least one filter (location, role, tag, platform, manufacturer, status): a rollout never selects every device by default"
            )
        }
        guard (1...1000).contains(pageSize) else { throw .setting("page size must be between 1 and 1000") }
        self.values = parsed
        self.pageSize = pageSize
    }

    public var query: String {
        var items: [(String, String)] = []
        for (option, parameter) in Self.filters {
            for value in values[option] ?? [] { items.append((parameter, value)) }
        }
        items.append(("limit", String(pageSize)))
        return URLText.query(items)
    }

    public var description: String {
        Self.filters.compactMap { option, _ in values[option].map { "\(option)=\($0.joined(separator: ","))" } }.joined(separator: " ")
    }

    /// Every matching device, every page followed, each name once (the first of a repeated name),
    /// with its device type's id.
    public func devices(using client: NautobotClient) throws(NautobotError) -> [SelectedDevice] {
        var devices: [SelectedDevice] = []
        var seen: Set<String> = []
        for device in try client.list("/dcim/devices/?" + query, as: SelectedDevice.self, what: "device") {
            guard !device.name.isEmpty, seen.insert(device.name).inserted else { continue }
            devices.append(device)
        }
        return devices
    }
}

/// A device a selection matched: its name and the device type a fleet summary groups it by.
public struct SelectedDevice: Sendable, Equatable, Decodable {
    /// A related object by its id (depth 0).
    public struct Reference: Sendable, Equatable, Decodable { public var id: String }

    /// Null in Nautobot for an unnamed device: such a device is never selected.
    public var name: String
    public var deviceType: Reference

    private enum CodingKeys: String, CodingKey {
        case name
        case deviceType = "device_type"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        name = try fields.decode(String?.self, forKey: .name) ?? ""
        deviceType = try fields.decode(Reference.self, forKey: .deviceType)
    }
}

/// The names of device types by id, as Nautobot displays them ("Dell PowerEdge R650": the
/// manufacturer and the model).
public enum DeviceTypeNames {
    /// Ids per request: a query string of 50 UUIDs stays near 2 KB, far under any proxy's limit.
    static let idsPerRequest = 50

    public static func of(_ ids: Set<String>, client: NautobotClient) throws(NautobotError) -> [String: String] {
        struct Listed: Decodable {
            var id: String
            var display: String
        }
        var names: [String: String] = [:]
        let sorted = ids.sorted()
        for start in stride(from: 0, to: sorted.count, by: idsPerRequest) {
            let batch = sorted[start..<min(start + idsPerRequest, sorted.count)]
            let query = URLText.query(batch.map { ("id", $0) } + [("limit", "1000")])
            for type in try client.list("/dcim/device-types/?" + query, as: Listed.self, what: "device type") {
                names[type.id] = type.display
            }
        }
        return names
    }
}
