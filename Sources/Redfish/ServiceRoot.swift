import JSON

/// The Redfish service root (`/redfish/v1`), which BMCs serve without a login: where the
/// services are, and who made the BMC.
public struct ServiceRoot: Sendable {
    public static let path = "/redfish/v1"

    public var resource: RedfishResource

    public init(_ resource: RedfishResource) {
        self.resource = resource
    }

    public static func read(_ client: RedfishClient) throws(RedfishError) -> ServiceRoot {
        ServiceRoot(try client.get(path))
    }

    /// The Sessions collection: `Links.Sessions`, else the SessionService's `Sessions`.
    public func sessionsPath(_ client: RedfishClient) throws(RedfishError) -> String? {
        if let direct = resource.json["Links"]?["Sessions"]?["@odata.id"]?.stringValue { return direct }
        guard let service = resource.link("SessionService") else { return nil }
        return try client.get(service).link("Sessions")
    }

    public var accountServicePath: String? { resource.link("AccountService") }
    public var updateServicePath: String? { resource.link("UpdateService") }
    public var managersPath: String? { resource.link("Managers") }

    public var vendor: String? { resource.json["Vendor"]?.stringValue }
    public var product: String? { resource.json["Product"]?.stringValue }
    public var oemKeys: [String] { resource.json["Oem"]?.objectValue?.map(\.key) ?? [] }
}
