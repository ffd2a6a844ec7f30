/// What we know of a BMC maker that Redfish does not say: its failed-login behaviour. Each
/// vendor's quirks live here, not as `if vendor ==` through the flow.
public enum VendorProfile: String, Sendable, CaseIterable {
    case iDRAC = "Dell iDRAC"
    case iLO = "HPE iLO"
    case openBMC = "OpenBMC"
    case unknown = "unknown BMC"

    /// Known from the service root, which needs no login: `Vendor`, `Product`, `Oem`.
    public static func detect(_ root: ServiceRoot) -> VendorProfile {
        let vendor = (root.vendor ?? "").lowercased()
        let product = (root.product ?? "").lowercased()
        let oem = root.oemKeys.map { $0.lowercased() }
        if vendor.contains("dell") || product.contains("idrac") || product.contains("dell") || oem.contains("dell") { return .iDRAC }
        if vendor == "hpe" || vendor.contains("hewlett") || product.contains("proliant") || oem.contains("hpe") || oem.contains("hp") {
            return .iLO
        }
        if vendor.contains("openbmc") || product.contains("openbmc") || oem.contains("openbmc") { return .openBMC }
        return .unknown
    }

    /// The failed-login policy the maker applies whatever Redfish reports; nil for an unknown
    /// maker.
    public var knownLockoutPolicy: LockoutPolicy? { self == .unknown ? nil : lockoutPolicy }

    /// The failed-login policy the maker applies when Redfish does not report one.
    public var lockoutPolicy: LockoutPolicy {
        switch self {
        // Reports zeros in AccountService and blocks the source address after 3 failures in 60 s.
        case .iDRAC: LockoutPolicy(threshold: 3, resetAfter: 60, duration: 600, minimumSpacing: 0, source: "iDRAC default")
        // Delays logins after a failure; failures at least 10 s apart are safe.
        case .iLO: LockoutPolicy(threshold: nil, resetAfter: 0, duration: 0, minimumSpacing: 10, source: "iLO default")
        // pam_faillock: 5 failures lock the account for 300 s.
        case .openBMC: LockoutPolicy(threshold: 5, resetAfter: 300, duration: 300, minimumSpacing: 0, source: "OpenBMC default")
        // Nothing known: one failed login per 60 s.
        case .unknown: LockoutPolicy.cautiousDefault
        }
    }
}

extension VendorProfile {
    /// How an image goes to HttpPushUri: the generic form is the raw image; iLO's upload
    /// endpoint wants its own multipart form with the session key (as HPE's tools send it).
    public func pushForm(sessionToken: String, fileName: String) -> (contentType: String, form: MultipartForm?, headers: [(String, String)])
    {
        switch self {
        case .iLO:
            let parameters = Array(#"{"UpdateRepository": true, "UpdateTarget": true}"#.utf8)
            let form = MultipartForm(
                fields: [
                    .field(name: "sessionKey", contentType: nil, value: Array(sessionToken.utf8)),
                    .field(name: "parameters", contentType: "application/json", value: parameters),
                ], fileField: "file", fileName: fileName)
            return (form.contentType, form, [("Cookie", "sessionKey=\(sessionToken)")])
        case .iDRAC, .openBMC, .unknown:
            return ("application/octet-stream", nil, [])
        }
    }
}
