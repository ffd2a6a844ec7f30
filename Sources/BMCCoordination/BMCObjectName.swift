import Kubernetes
import StepRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Kubernetes names of one BMC's objects (its login history, its change Lease): one BMC,
/// one name, whatever form its address was given in, and two BMCs never share one.
///
/// `<purpose>-<port>-<kind>.<address>`: the first label says what the object is for, the port
/// (443 when none is given) and the kind of address; the rest is the address itself, which a
/// DNS-1123 subdomain can hold once written canonically: a DNS name lowercased, an IPv4
/// address in dotted decimal, an IPv6 address as its eight groups of four hex digits joined
/// by `-`. So `https://[2001:db8::1]:8443` is `obm-logins-8443-ip6.2001-0db8-0000-0000-0000-0000-0000-0001`.
public struct BMCObjectName: Sendable, Equatable {
    /// `443-ip4.10.0.0.1`: what follows the purpose.
    public let suffix: String

    public init(endpointBase base: String) throws(StepError) {
        var authority = Substring(base)
        if let scheme = base.firstRange(of: "://") { authority = base[scheme.upperBound...] }
        var host: Substring
        var port = "443"
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if rest.hasPrefix(":") { port = String(rest.dropFirst()) } else if !rest.isEmpty { throw Self.refusal(base) }
        } else if let colon = authority.lastIndex(of: ":"), authority.filter({ $0 == ":" }).count == 1 {
            host = authority[..<colon]
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = authority
        }
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else { throw Self.refusal(base) }
        let address: String
        if let ipv4 = Self.canonicalIPv4(String(host)) {
            address = "ip4." + ipv4
        } else if let ipv6 = Self.canonicalIPv6(String(host)) {
            address = "ip6." + ipv6
        } else {
            let name = host.lowercased()
            guard KubernetesNames.isValidSubdomain(name) else { throw Self.refusal(base) }
            address = "dns." + name
        }
        suffix = "\(portNumber)-" + address
        guard suffix.count <= 253 - 12 else { throw Self.refusal(base) }
    }

    /// The ConfigMap that holds the BMC's failed-login history.
    public var history: String { "obm-logins-" + suffix }
    /// The Lease held while a step changes the BMC.
    public var lease: String { "obm-lock-" + suffix }

    static func refusal(_ base: String) -> StepError {
        .badInput("the BMC address \(base) cannot be named in Kubernetes (its login history and Lease are named after it)")
    }

    static func canonicalIPv4(_ text: String) -> String? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { $0.map(String.init).joined(separator: ".") }
    }

    static func canonicalIPv6(_ text: String) -> String? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &address) { Array($0) }
        return stride(from: 0, to: 16, by: 2).map { index in
            let hex = String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16)
            return String(repeating: "0", count: 4 - hex.count) + hex
        }.joined(separator: "-")
    }
}
