import HTTP
import JSON

/// A dcim.InventoryItem as `/dcim/inventory-items/?device=ID&depth=1` answers it (recorded from
/// Nautobot 3.2.7): what the firmware record compares, its software version embedded.
public struct NautobotInventoryItem: Sendable, Equatable, Decodable {
    /// The software version an item links, at depth 1: its version text.
    public struct LinkedVersion: Sendable, Equatable, Decodable {
        public var id: String
        public var version: String
    }

    public var id: String
    public var name: String
    /// `""` when never set.
    public var partID: String
    public var softwareVersion: LinkedVersion?

    private enum CodingKeys: String, CodingKey {
        case id, name
        case partID = "part_id"
        case softwareVersion = "software_version"
    }
}

/// An object Nautobot names and numbers: a platform, a status, a software version.
public struct NautobotObject: Sendable, Equatable, Decodable {
    public var id: String

    public init(id: String) { self.id = id }
}

extension NautobotClient {
    /// POSTs or PATCHes a JSON object and reads the object answered.
    public func write<Shape: Decodable>(_ method: HTTPMethod, _ uri: String, _ body: JSONValue, as type: Shape.Type, what: String)
        throws(NautobotError) -> Shape
    {
        let response = try send(method, uri: uri, body: Array(body.serialized.utf8))
        let value: JSONValue
        do {
            value = try JSONValue(parsing: response.body)
        } catch {
            throw .invalidAnswer("Nautobot's answer to \(method.rawValue) /api\(Self.pathOnly(uri)) is not JSON (\(error))")
        }
        return try Self.decode(type, from: value, what: what)
    }
}
