/// A response as received: status, headers, and the body when it was kept in memory.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header lines of the final response (not of redirects or 1xx), in order, names as sent.
    public var headers: [HTTPHeader]
    /// The body, empty when it went to a file.
    public var body: [UInt8]
    /// The URL that answered, after redirects.
    public var url: String

    public init(status: Int, headers: [HTTPHeader], body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// 429 and the 5xx a retry may cure (500, 502, 503, 504).
    public var isTransientStatus: Bool { Self.isTransient(status: status) }

    /// The one rule for what a later try may cure, for retries and for exit 75 alike: 429 and
    /// the 5xx of an overloaded or restarting server. 501, 505 and the like will not change.
    public static func isTransient(status: Int) -> Bool { [429, 500, 502, 503, 504].contains(status) }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
