@_spi(BMCInsecureTLS) import HTTP
import StepRuntime

/// A BMC to talk Redfish to: `https://<host>/redfish/v1`, and how its certificate is checked.
public struct RedfishEndpoint: Sendable {
    /// `https://host[:port]`, no path.
    public var base: String
    public var tls: TLSOptions
    /// `OBM_CONNECT_TO` routes (`HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`): reach BMCs through
    /// a jump host's forwarded ports, or simulators, while the certificate is still checked
    /// against the BMC's own address.
    public var connectTo: [String]

    public init(base: String, tls: TLSOptions, connectTo: [String] = []) {
        self.base = base
        self.tls = tls
        self.connectTo = connectTo
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
        if let port = environment.setting("OBM_PORT") {
            guard let number = Int(port), (1...65535).contains(number) else { throw .setting("OBM_PORT \"\(port)\" is not a port") }
            let hasPort = bareIPv6 ? false : (authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":"))
            if !hasPort { authority += ":\(number)" }
        }
        // OBM_TLS_VERIFY is checked whether or not OBM_CA_FILE is set: a typo is never ignored.
        var verifies = true
        if let verify = environment["OBM_TLS_VERIFY"]?.lowercased(), !verify.isEmpty {
            switch verify {
            case "false", "0", "no", "off": verifies = false
            case "true", "1", "yes", "on": break
            default: throw .setting("OBM_TLS_VERIFY \"\(verify)\" is not true or false")
            }
        }
        var tls = TLSOptions.system
        if let caFile = environment.setting("OBM_CA_FILE") {
            tls = TLSOptions(caFile: caFile)
        } else if !verifies {
            Log.debug("BMC certificate verification is off (OBM_TLS_VERIFY)")
            tls = .insecure
        }
        return RedfishEndpoint(base: "https://" + authority, tls: tls, connectTo: try connectRoutes(environment["OBM_CONNECT_TO"] ?? ""))
    }

    /// `OBM_CONNECT_TO`: routes separated by commas or spaces, each four `:`-separated fields
    /// (an IPv6 address in brackets), the ports numbers; the last two may be empty as in curl.
    static func connectRoutes(_ text: String) throws(RedfishError) -> [String] {
        let routes = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
        for route in routes {
            var fields: [Substring] = []
            var rest = Substring(route)
            while !rest.isEmpty || fields.count < 4 {
                if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    fields.append(rest[...close])
                    rest = rest[rest.index(after: close)...]
                    if rest.hasPrefix(":") { rest = rest.dropFirst() } else if !rest.isEmpty { break }
                    continue
                }
                let field = rest.prefix { $0 != ":" }
                fields.append(field)
                rest = rest.dropFirst(field.count)
                if rest.hasPrefix(":") { rest = rest.dropFirst() } else { break }
            }
            let portsValid = [fields.count > 1 ? fields[1] : "x", fields.count > 3 ? fields[3] : ""].allSatisfy {
                $0.isEmpty || Int($0).map { (1...65535).contains($0) } == true
            }
            guard fields.count == 4, rest.isEmpty, portsValid else {
                throw .setting("OBM_CONNECT_TO route \"\(route)\" is not HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT")
            }
        }
        return routes
    }
}
