import JSON

/// How an image reaches the BMC.
public enum UpdateMethod: String, Sendable, CaseIterable {
    /// SimpleUpdate with ImageURI: the BMC fetches the image itself.
    case simple
    /// MultipartHttpPushUri: the standard multipart form (UpdateParameters + the image).
    case multipart
    /// HttpPushUri: the image pushed as the body (its form is the vendor's).
    case push
}

/// The BMC's UpdateService, read for what it offers.
public struct UpdateService: Sendable {
    public var resource: RedfishResource
    /// SimpleUpdate's TransferProtocol values, upper-cased, from the action or its ActionInfo.
    public var simpleProtocols: [String]

    public var serviceEnabled: Bool { resource.json["ServiceEnabled"]?.boolValue ?? true }
    public var simpleUpdateTarget: String? { resource.json["Actions"]?["#UpdateService.SimpleUpdate"]?["target"]?.stringValue }
    public var multipartURI: String? { resource.json["MultipartHttpPushUri"]?.stringValue }
    public var pushURI: String? { resource.json["HttpPushUri"]?.stringValue }

    public init(resource: RedfishResource, simpleProtocols: [String]) {
        self.resource = resource
        self.simpleProtocols = simpleProtocols
    }

    public static func read(_ client: RedfishClient, root: ServiceRoot) throws(RedfishError) -> UpdateService {
        guard let path = root.updateServicePath else { throw .unexpected("the BMC's service root links no UpdateService") }
        let resource = try client.get(path)
        let action = resource.json["Actions"]?["#UpdateService.SimpleUpdate"]
        var protocols = action?["TransferProtocol@Redfish.AllowableValues"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if protocols.isEmpty, let info = action?["@Redfish.ActionInfo"]?.stringValue, let actionInfo = try? client.get(info) {
            let parameter = actionInfo.json["Parameters"]?.arrayValue?.first { $0["Name"]?.stringValue == "TransferProtocol" }
            protocols = parameter?["AllowableValues"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return UpdateService(resource: resource, simpleProtocols: protocols.map { $0.uppercased() })
    }

    /// The method for an image at a URL of `scheme` (http or https): SimpleUpdate when the BMC
    /// lists that protocol, else multipart, else push. `forced` picks one, if the BMC offers it.
    /// `verifying`: the image's checksum must be checked as it passes, so only a push will do
    /// unless `forced` says otherwise (with SimpleUpdate the BMC fetches the image itself).
    public func choose(forScheme scheme: String, forced: UpdateMethod?, verifying: Bool = false) throws(RedfishError) -> (
        UpdateMethod, String
    ) {
        let canSimple = simpleUpdateTarget != nil && simpleProtocols.contains(scheme.uppercased())
        if let forced {
            switch forced {
            case .simple where simpleUpdateTarget == nil: throw .unexpected("--method simple: the BMC offers no SimpleUpdate action")
            case .multipart where multipartURI == nil: throw .unexpected("--method multipart: the BMC offers no MultipartHttpPushUri")
            case .push where pushURI == nil: throw .unexpected("--method push: the BMC offers no HttpPushUri")
            default: return (forced, "forced by --method")
            }
        }
        if verifying {
            if multipartURI != nil { return (.multipart, "the image is verified as it streams: MultipartHttpPushUri is offered") }
            if pushURI != nil { return (.push, "the image is verified as it streams: HttpPushUri is offered") }
            throw .unexpected(
                "the BMC offers no push URI, only SimpleUpdate, where it fetches the image itself and its checksum cannot be checked; --method simple accepts that"
            )
        }
        if canSimple { return (.simple, "the BMC fetches \(scheme.uppercased()) images itself (SimpleUpdate)") }
        if multipartURI != nil { return (.multipart, "SimpleUpdate does not take \(scheme.uppercased()); MultipartHttpPushUri is offered") }
        if pushURI != nil { return (.push, "neither SimpleUpdate for \(scheme.uppercased()) nor multipart is offered; HttpPushUri is") }
        throw .unexpected("the BMC's UpdateService offers no way to update from an \(scheme) URL (no SimpleUpdate for it, no push URI)")
    }
}
