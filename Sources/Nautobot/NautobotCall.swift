import HTTPClient
import JSON

/// A validated `nautobot-api` call: method, URI under /api, optional JSON body.
public struct NautobotCall: Sendable {
    public static let maxURILength = 4096
    public static let maxBodyLength = 1024 * 1024

    public let method: HTTPMethod
    public let uri: String
    public let body: [UInt8]?
    public let allPages: Bool

    /// Checks every input before anything is sent: bad input is exit 64.
    public init(method rawMethod: String, uri: String, body rawBody: String?, allPages: Bool) throws(NautobotError) {
        // The WorkflowTemplate passes `--body ""` when its parameter is left empty: no body.
        let body = rawBody.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        guard let method = HTTPMethod(rawValue: rawMethod.uppercased()), method != .head, method != .options else {
            throw .setting("method \"\(rawMethod)\" is not one of GET, POST, PUT, PATCH, DELETE")
        }
        guard uri.hasPrefix("/"), !uri.hasPrefix("//") else {
            throw .setting("uri \"\(uri)\" must start with a single / (it is appended to $NAUTOBOT_URL/api)")
        }
        guard uri.count <= Self.maxURILength else { throw .setting("uri is longer than \(Self.maxURILength) characters") }
        guard uri.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }), !uri.contains("#") else {
            throw .setting("uri must be URL-encoded: no spaces, control or non-ASCII characters, no #")
        }
        let path = uri.prefix { $0 != "?" }
        // Percent-encoded dots are dots to the server: `/.%2e/` is `/../`.
        let segments = path.split(separator: "/").map { $0.lowercased().replacing("%2e", with: ".") }
        guard !segments.contains(where: { $0 == ".." || $0 == "." }) else {
            throw .setting("uri must not contain . or .. segments: it stays under /api")
        }
        if let body {
            guard [.post, .put, .patch].contains(method) else {
                throw .setting("a body goes only with POST, PUT or PATCH, not \(method.rawValue)")
            }
            guard body.utf8.count <= Self.maxBodyLength else { throw .setting("body is larger than 1 MiB") }
            do {
                _ = try JSONValue(parsing: body)
            } catch {
                throw .setting("body is not JSON: \(error)")
            }
        }
        guard !allPages || method == .get else { throw .setting("--all-pages goes only with GET") }
        self.method = method
        self.uri = uri
        self.body = body.map { Array($0.utf8) }
        self.allPages = allPages
    }

    /// The `result` output: the answer's body as sent, or all pages gathered.
    public func perform(with client: NautobotClient) throws(NautobotError) -> String {
        if allPages {
            let results = try client.list(uri)
            return JSONValue.object([JSONMember("count", .integer(results.count)), JSONMember("results", .array(results))]).serialized
        }
        let response = try client.send(method, uri: uri, body: body)
        return String(decoding: response.body, as: UTF8.self)
    }
}
