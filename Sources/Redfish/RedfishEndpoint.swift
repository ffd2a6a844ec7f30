@_spi(BMCInsecureTLS) import HTTPClient
import StepRuntime

/// A BMC to talk Redfish to: `https://<host>/redfish/v1`, and how its certificate is checked.
public struct RedfishEndpoint: Sendable {
    /// `https://host[:port]`, no path.
    public var base: String
    public var tls: TLSOptions

    public init(base: String, tls: TLSOptions) {
        self.base = base
        self.tls = tls
    }

    /// The endpoint for a `host` parameter (an IP, an IPv6 address, a name, optionally `:port`),
    /// with `OBM_CA_FILE` / `OBM_TLS_VERIFY` from the environment: verification stays on unless
    /// the operator says `OBM_TLS_VERIFY=false`.
    public static func from(host: String, environment: [String: String]) throws(RedfishError) -> RedfishEndpoint {
        guard !host.isEmpty, host.count <= 255 else { throw .setting("host is empty or longer than 255 characters") }
        let allowed = host.unicodeScalars.allSatisfy { scalar in
            (scalar.value < 0x80 && (Character(scalar).isLetter || Character(scalar).isNumber)) || ".-:[]_".unicodeScalars.contains(scalar)
        }
        guard allowed else { throw .setting("host \"\(host)\" is not an address or host name (no scheme, path or credentials)") }
        var authority: String
        let bareIPv6 = host.filter({ $0 == ":" }).count > 1 && !host.hasPrefix("[")
        authority = bareIPv6 ? "[\(host)]" : host
        // OBM_PORT: BMCs (or a proxy in front of them) on another port than 443, for hosts given
        // without one; the local runner uses it to reach simulators.
        if let port = environment["OBM_PORT"], !port.isEmpty {
            guard let number = Int(port), (1...65535).contains(number) else { throw .setting("OBM_PORT \"\(port)\" is not a port") }
            let hasPort = bareIPv6 ? false : (authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":"))
            if !hasPort { authority += ":\(number)" }
        }
        var tls = TLSOptions.system
        if let caFile = environment["OBM_CA_FILE"], !caFile.isEmpty {
            tls = TLSOptions(caFile: caFile)
        } else if let verify = environment["OBM_TLS_VERIFY"]?.lowercased(), !verify.isEmpty {
            switch verify {
            case "false", "0", "no", "off":
                Log.debug("BMC certificate verification is off (OBM_TLS_VERIFY=\(verify))")
                tls = .insecure
            case "true", "1", "yes", "on": break
            default: throw .setting("OBM_TLS_VERIFY \"\(verify)\" is not true or false")
            }
        }
        return RedfishEndpoint(base: "https://" + authority, tls: tls)
    }
}
