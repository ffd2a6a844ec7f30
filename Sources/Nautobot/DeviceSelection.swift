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

    /// The names of every matching device, every page followed, each name once.
    public func hostnames(using client: NautobotClient) throws(NautobotError) -> [String] {
        var names: [String] = []
        for device in try client.list("/dcim/devices/?" + query) {
            guard let name = device["name"]?.stringValue, !name.isEmpty else { continue }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}
