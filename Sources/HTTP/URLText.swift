/// Small string operations on URLs that the client needs without Foundation's URL.
public enum URLText {
    /// Whether the URL carries userinfo (`https://user:password@host/…`): a credential in the
    /// clear, which no output, log or record may repeat.
    public static func carriesCredentials(_ url: String) -> Bool {
        guard let schemeEnd = url.firstRange(of: "://") else { return false }
        return url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }.contains("@")
    }

    /// The URL without userinfo and without query or fragment: safe in a log line or a message,
    /// since credentials and tokens sometimes travel in either.
    public static func printable(_ url: String) -> String {
        var text = Substring(url)
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<cut] }
        guard let schemeEnd = text.firstRange(of: "://") else { return String(text) }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        if let at = afterScheme[..<authorityEnd].lastIndex(of: "@") {
            return String(text[..<schemeEnd.upperBound]) + String(afterScheme[afterScheme.index(after: at)...])
        }
        return String(text)
    }

    /// `scheme://host[:port]` of an absolute URL, lower-cased scheme and host; nil if not absolute.
    public static func origin(_ url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd: Substring.Index = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority: Substring = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else { return nil }
        var host = authority.lowercased()
        let defaultPort = scheme == "https" ? ":443" : scheme == "http" ? ":80" : nil
        if let defaultPort, host.hasSuffix(defaultPort) { host.removeLast(defaultPort.count) }
        return scheme + "://" + host
    }

    /// Whether the URL's host is this machine (127.0.0.0/8, ::1, localhost): the only place
    /// plain http may carry a credential.
    public static func isLoopback(_ url: String) -> Bool {
        guard let origin = origin(url), let schemeEnd = origin.firstRange(of: "://") else { return false }
        var host = String(origin[schemeEnd.upperBound...])
        if host.hasPrefix("[") {
            return host.hasPrefix("[::1]")
        }
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        let isIPv4 = octets.count == 4 && octets.allSatisfy { $0.map { (0...255).contains($0) } ?? false }
        return host == "localhost" || (isIPv4 && octets.first == 127)
    }

    /// The scheme, lower-cased, of an absolute URL.
    public static func scheme(_ url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        return url[..<schemeEnd.lowerBound].lowercased()
    }

    /// Percent-encodes a query parameter value: everything but RFC 3986 unreserved characters,
    /// so `&`, `+`, `#`, `%` and spaces in a device name cannot change the query.
    public static func encodeQueryValue(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// `name=value&...` with each value encoded.
    public static func query(_ items: [(String, String)]) -> String {
        items.map { "\($0.0)=\(encodeQueryValue($0.1))" }.joined(separator: "&")
    }
}
