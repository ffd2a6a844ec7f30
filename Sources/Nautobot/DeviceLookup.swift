import HTTP
import JSON

/// Finds the one Nautobot device with a given name.
public struct DeviceLookup {
    let client: NautobotClient

    public init(client: NautobotClient) {
        self.client = client
    }

    /// The device object exactly as Nautobot returns it. Names are exact and case-sensitive, as
    /// Nautobot's `name=` filter is. Zero matches and several matches are failures (exit 1).
    public func device(named name: String) throws(NautobotError) -> JSONValue {
        try Self.validate(hostname: name)
        let devices = try client.list("/dcim/devices/?" + URLText.query([("name", name)]))
        switch devices.count {
        case 0:
            throw .notFound("no device named \"\(name)\" in Nautobot (\(client.settings.url))")
        case 1:
            return devices[0]
        default:
            throw .ambiguous(try ambiguityMessage(name: name, count: devices.count))
        }
    }

    /// Names each candidate by id and location, so the operator can tell them apart.
    func ambiguityMessage(name: String, count: Int) throws(NautobotError) -> String {
        // depth=1 names the locations; asked only on this failure path, so success costs one request.
        let detailed = try client.list("/dcim/devices/?" + URLText.query([("name", name), ("depth", "1")]))
        let candidates = detailed.map { device in
            let id = device["id"]?.stringValue ?? "?"
            let location = device["location"]?["name"]?.stringValue ?? device["location"]?["display"]?.stringValue
            return location.map { "\(id) in \($0)" } ?? id
        }
        return "\(count) devices named \"\(name)\" in Nautobot (\(client.settings.url)): \(candidates.joined(separator: ", "))"
    }

    /// A hostname parameter: not empty, bounded, no control characters.
    public static func validate(hostname: String) throws(NautobotError) {
        guard !hostname.isEmpty else { throw .setting("hostname is empty") }
        guard hostname.count <= 255 else { throw .setting("hostname is longer than 255 characters") }
        guard !hostname.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .setting("hostname contains control characters")
        }
    }
}
