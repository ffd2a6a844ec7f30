import JSON

/// A request as a simulator sees it: decoded enough to dispatch on, independent of the server.
public struct SimulatedRequest: Sendable {
    public var method: String
    /// The path, percent-decoded.
    public var path: String
    /// Query parameters, decoded, in order; `+` is a space, as Django reads it.
    public var query: [(name: String, value: String)]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// For uploads the service asked to stream: the body on disk (the service removes it) and its length.
    public var bodyFile: String?
    public var bodyLength: Int
    /// `https://127.0.0.1:PORT`, as the client addressed the server.
    public var origin: String

    public init(
        method: String, path: String, rawQuery: String?, headers: [String: String], body: [UInt8], origin: String, bodyFile: String? = nil,
        bodyLength: Int? = nil
    ) {
        self.method = method
        self.path = FormDecoding.percentDecode(path, plusIsSpace: false)
        self.query = FormDecoding.parseQuery(rawQuery ?? "")
        self.headers = headers
        self.body = body
        self.origin = origin
        self.bodyFile = bodyFile
        self.bodyLength = bodyLength ?? body.count
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Every value of a query parameter.
    public func values(_ name: String) -> [String] { query.filter { $0.name == name }.map(\.value) }

    public func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
}

/// A simulator's answer.
public struct SimulatedResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> SimulatedResponse {
        SimulatedResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(value.serialized.utf8))
    }
}

/// Query-string and path decoding as web frameworks do it.
public enum FormDecoding {
    public static func parseQuery(_ raw: String) -> [(name: String, value: String)] {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(String(parts[0]), plusIsSpace: true)
            let value = parts.count > 1 ? percentDecode(String(parts[1]), plusIsSpace: true) : ""
            return (name, value)
        }
    }

    public static func percentDecode(_ text: String, plusIsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else if byte == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
