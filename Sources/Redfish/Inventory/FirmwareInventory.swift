import JSON
import StepRuntime

/// One member of the BMC's `UpdateService/FirmwareInventory`, as the compliance steps pass it on
/// (contract.md, "Firmware compliance steps"): `id`, `name` and `version` as the BMC gives them,
/// `updateable` when it says, what `kind` of component it is, and its `path`.
public struct FirmwareComponent: Sendable, Equatable, Decodable {
    public var id: String
    public var name: String
    /// nil when the BMC gives none.
    public var version: String?
    /// nil when the BMC does not say (iLO 5 does not).
    public var updateable: Bool?
    public var kind: FirmwareKind
    public var path: String

    public init(id: String, name: String, version: String?, updateable: Bool?, kind: FirmwareKind, path: String) {
        self.id = id
        self.name = name
        self.version = version
        self.updateable = updateable
        self.kind = kind
        self.path = path
    }

    /// iDRAC's rollback (`Previous-`) and staged (`Available-`) copies: firmware kept beside
    /// what runs, never planned or flashed.
    public var isSpareCopy: Bool { Self.isSpareCopy(id: id) }

    static func isSpareCopy(id: String) -> Bool { id.hasPrefix("Previous-") || id.hasPrefix("Available-") }

    /// The output's form: every key present, `null` where the BMC said nothing.
    public var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "version": version.map { .string($0) } ?? .null,
            "updateable": updateable.map { .bool($0) } ?? .null, "kind": .string(kind.rawValue), "path": .string(path),
        ]
    }
}

/// A SoftwareInventory resource as DMTF's schema defines it: `Id` and `Name` required; `Version`,
/// `Updateable`, `Description` and `RelatedItem` optional (iLO 5 sends no `Updateable`, no
/// `RelatedItem`, and a machine-readable `Description`).
struct SoftwareInventoryMember: Decodable {
    struct Link: Decodable {
        var path: String

        private enum CodingKeys: String, CodingKey { case path = "@odata.id" }
    }

    var id: String
    var name: String
    var version: String?
    var updateable: Bool?
    var description: String?
    var relatedItems: [Link]?

    private enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case version = "Version"
        case updateable = "Updateable"
        case description = "Description"
        case relatedItems = "RelatedItem"
    }

    func component(at path: String) -> FirmwareComponent {
        FirmwareComponent(
            id: id, name: name, version: version, updateable: updateable,
            kind: FirmwareKind.of(id: id, name: name, description: description, relatedItems: relatedItems?.map(\.path) ?? []),
            path: path)
    }
}

/// The BMC's firmware inventory, reached through the UpdateService's `FirmwareInventory` link: one
/// GET per member, in the BMC's order. Read-only.
public enum FirmwareInventory {
    public static func read(_ client: RedfishClient, root: ServiceRoot) throws(RedfishError) -> [FirmwareComponent] {
        guard let servicePath = root.updateServicePath else { throw .unexpected("the BMC's service root links no UpdateService") }
        guard let inventoryPath = try client.get(servicePath).link("FirmwareInventory") else {
            throw .unexpected("the BMC's UpdateService links no FirmwareInventory")
        }
        var components: [FirmwareComponent] = []
        for member in try client.get(inventoryPath).members {
            components.append(try component(try client.get(member)))
        }
        return components
    }

    /// One member's resource, read as a component; its `@odata.id` is where it was read.
    public static func component(_ resource: RedfishResource) throws(RedfishError) -> FirmwareComponent {
        try RedfishShape.decode(SoftwareInventoryMember.self, from: resource, what: "firmware inventory member").component(
            at: resource.path)
    }

    /// get-firmware-inventory's output handed to another step (`--inventory`): every field of
    /// every component as contract.md gives it, or bad input naming the first one missing.
    public static func components(fromJSON text: String, option: String) throws(StepError) -> [FirmwareComponent] {
        struct Output: Decodable { var components: [FirmwareComponent] }
        do {
            return try JSONValueDecoder().decode(Output.self, from: try JSONValue(parsing: Array(text.utf8))).components
        } catch let error as DecodingError {
            throw .badInput("\(option) is not get-firmware-inventory's output: \(error.fieldDescription)")
        } catch {
            throw .badInput("\(option) is not JSON: \(error)")
        }
    }

    /// The step's `inventory` output: `{"components": [...]}`.
    public static func json(_ components: [FirmwareComponent]) -> JSONValue {
        ["components": .array(components.map(\.json))]
    }
}
