/// Textual IP address checks, without a resolver: an address from Nautobot or a parameter is
/// validated before it goes into a URL.
public enum IPAddressText {
    /// Dotted-quad IPv4, four decimal parts 0-255, no leading zeros.
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(part), value <= 255
            else { return false }
            return part.count == 1 || part.first != "0"
        }
    }

    /// RFC 4291 text form: up to eight hex groups, one `::`, an optional trailing IPv4.
    public static func isIPv6(_ text: String) -> Bool {
        guard text.count >= 2, text.count <= 45, text.contains(":") else { return false }
        var body = Substring(text)
        var groupsNeeded = 8
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            guard isIPv4(String(body[body.index(after: lastColon)...])) else { return false }
            body = body[...lastColon]
            if !body.hasSuffix("::") { body = body.dropLast() }
            groupsNeeded = 6
        }
        let halves = body.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return false }
        func groups(_ part: Substring) -> [Substring]? {
            if part.isEmpty { return [] }
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            guard items.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
            return items
        }
        guard let head = groups(halves[0]) else { return false }
        if halves.count == 1 { return head.count == groupsNeeded }
        guard let tail = groups(halves[1]) else { return false }
        return head.count + tail.count < groupsNeeded
    }
}

extension Substring {
    /// Splits at `::` (at most the first occurrence matters; a second makes three parts).
    fileprivate func components(separatedByDoubleColon: ()) -> [Substring] {
        var parts: [Substring] = []
        var rest = self
        while let range = rest.firstRange(of: "::") {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts
    }
}
