import HTTP
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
    /// The answer as `result`: JSON, as promised, and no larger than `limit` bytes (an output
    /// parameter lives in a Workflow object of at most 1 MiB; a larger one is an error naming
    /// the limit, never a part of the answer). An empty answer (a DELETE's 204) stays empty.
    public func perform(with client: NautobotClient, limit: Int = NautobotCall.defaultResultLimit) throws(NautobotError) -> String {
        let path = "/api" + uri.prefix { $0 != "?" }
        do throws(NautobotError) {
            if allPages {
                let results = try client.list(uri, limit: limit)
                let text = JSONValue.object([JSONMember("count", .integer(results.count)), JSONMember("results", .array(results))])
                    .serialized
                guard text.utf8.count <= limit else { throw NautobotError.invalidAnswer(Self.tooLarge(path, limit)) }
                return text
            }
            let response = try client.send(method, uri: uri, body: body, limit: limit)
            if response.body.isEmpty { return "" }
            guard let text = String(validating: response.body, as: UTF8.self) else {
                throw NautobotError.invalidAnswer("Nautobot's answer to \(method.rawValue) \(path) is not valid UTF-8; not passed on")
            }
            do {
                _ = try JSONValue(parsing: response.body)
            } catch {
                throw NautobotError.invalidAnswer(
                    "Nautobot's answer to \(method.rawValue) \(path) is not JSON (\(error)); is NAUTOBOT_URL the Nautobot server?")
            }
            return text
        } catch .transport(let failure) where failure.kind == .responseTooLarge {
            throw .invalidAnswer(Self.tooLarge(path, limit))
        }
    }

    /// 3 MiB: what Argo can carry in a Workflow's outputs, with room for the rest of its status.
    public static let defaultResultLimit = 3 << 20

    static func tooLarge(_ path: String, _ limit: Int) -> String {
        "Nautobot's answer to \(path) is larger than NAUTOBOT_MAX_RESULT_BYTES (\(limit) bytes); narrow the query (filters, limit, fields) or raise the setting"
    }

    /// `NAUTOBOT_MAX_RESULT_BYTES`, from 1 KiB to 64 MiB; the default when unset.
    public static func resultLimit(_ environment: [String: String]) throws(NautobotError) -> Int {
        guard let text = environment.setting("NAUTOBOT_MAX_RESULT_BYTES") else { return defaultResultLimit }
        guard let value = Int(text), (1024...(64 << 20)).contains(value) else {
            throw .setting("NAUTOBOT_MAX_RESULT_BYTES \"\(text)\" is not a number of bytes from 1024 to 67108864")
        }
        return value
    }
}
