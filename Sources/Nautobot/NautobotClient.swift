import HTTP
import JSON
import StepRuntime

/// A Nautobot REST API client: token auth, a pinned API version, error bodies turned into one
/// line, list pagination that never leaves the configured server.
public final class NautobotClient {
    public let settings: NautobotSettings
    private let http: HTTPClient

    public init(settings: NautobotSettings, retry: RetryPolicy = RetryPolicy()) throws(NautobotError) {
        self.settings = settings
        do {
            http = try HTTPClient(tls: TLSOptions(caFile: settings.caFile), retry: retry)
        } catch {
            throw .transport(error)
        }
    }

    /// `$NAUTOBOT_URL/api` + `uri`, as given: the caller encodes its query.
    public func apiURL(_ uri: String) -> String { settings.url + "/api" + uri }

    /// One request; any non-2xx answer is thrown with Nautobot's text.
    /// `limit` bounds the answer held in memory (the default: ResponseDestination's).
    public func send(_ method: HTTPMethod, uri: String, body: [UInt8]? = nil, limit: Int? = nil) throws(NautobotError) -> HTTPResponse {
        try send(method, url: apiURL(uri), body: body, shownAs: "\(method.rawValue) /api\(Self.pathOnly(uri))", limit: limit)
    }

    /// GETs a JSON document.
    public func getJSON(_ uri: String) throws(NautobotError) -> JSONValue {
        try decode(send(.get, uri: uri), what: uri)
    }

    /// Every object of a list endpoint, following `next` links, which must stay on this server:
    /// the token is never sent anywhere else.
    /// `limit` bounds the pages' bytes together: a larger list is an error, never part of one.
    public func list(_ uri: String, limit: Int? = nil) throws(NautobotError) -> [JSONValue] {
        var results: [JSONValue] = []
        var bytes = 0
        var url = apiURL(uri)
        var pages = 0
        var seen: Set<String> = []
        while true {
            pages += 1
            // A next link back to a page already read would loop until the page limit.
            guard seen.insert(url).inserted else {
                throw .invalidAnswer(
                    "Nautobot's next link for /api\(Self.pathOnly(uri)) leads back to a page already read (\(URLText.printable(url))); stopping"
                )
            }
            guard pages <= 10_000 else { throw .invalidAnswer("Nautobot: more than 10000 pages for /api\(Self.pathOnly(uri))") }
            let response = try send(.get, url: url, body: nil, shownAs: "GET /api\(Self.pathOnly(uri))", limit: limit.map { $0 - bytes })
            bytes += response.body.count
            let page = try decode(response, what: uri)
            guard let pageResults = page["results"]?.arrayValue else {
                throw .invalidAnswer("Nautobot's answer to /api\(Self.pathOnly(uri)) is not a list (no \"results\")")
            }
            results += pageResults
            guard let next = page["next"]?.stringValue else { return results }
            guard URLText.origin(next) == URLText.origin(settings.url) else {
                throw .invalidAnswer(
                    "Nautobot's next page is on another server (\(URLText.printable(next))); not sending the token there. Check Nautobot's ALLOWED_HOSTS/proxy settings"
                )
            }
            url = next
        }
    }

    private func send(_ method: HTTPMethod, url: String, body: [UInt8]?, shownAs request: String, limit: Int? = nil) throws(NautobotError)
        -> HTTPResponse
    {
        var headers = [
            HTTPHeader("Accept", "application/json; version=\(settings.apiVersion)"),
            HTTPHeader("Authorization", "Token \(settings.token)"),
        ]
        if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        let response: HTTPResponse
        do {
            response = try http.send(
                HTTPRequest(
                    method, url, headers: headers, body: body.map { .bytes($0) } ?? .none,
                    destination: .memory(limit: max(1, limit ?? ResponseDestination.defaultMemoryLimit))))
        } catch {
            throw .transport(error)
        }
        guard response.isSuccess else {
            let detail = NautobotErrorText.from(response)
            let server = URLText.origin(settings.url) ?? settings.url
            switch response.status {
            case 401, 403: throw .refused(status: response.status, detail: detail, server: server, request: request)
            case _ where HTTPResponse.isTransient(status: response.status):
                throw .unavailable(status: response.status, detail: detail, server: server)
            case 406:
                throw .setting("Nautobot (\(server)) does not accept API version \(settings.apiVersion): \(detail) (NAUTOBOT_API_VERSION)")
            default: throw .rejected(status: response.status, detail: detail, request: request)
            }
        }
        return response
    }

    private func decode(_ response: HTTPResponse, what uri: String) throws(NautobotError) -> JSONValue {
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw .invalidAnswer(
                "Nautobot's answer to /api\(Self.pathOnly(uri)) is not JSON (\(error)); is NAUTOBOT_URL the Nautobot server?")
        }
    }

    /// The URI without its query: queries carry names, which belong in the step's own message.
    static func pathOnly(_ uri: String) -> Substring {
        uri.prefix { $0 != "?" }
    }
}

extension NautobotClient {
    /// Every result of a list, each read as `Shape`; one that cannot be is an invalid answer
    /// naming the endpoint, the result and the field.
    public func list<Shape: Decodable>(_ uri: String, as type: Shape.Type, what: String) throws(NautobotError) -> [Shape] {
        var decoded: [Shape] = []
        for (index, result) in try list(uri).enumerated() {
            decoded.append(try Self.decode(type, from: result, what: "\(what) (result \(index) of \(uri.prefix { $0 != "?" }))"))
        }
        return decoded
    }

    /// One object read as `Shape`; one that cannot be is an invalid answer naming `what` and the
    /// field.
    static func decode<Shape: Decodable>(_ type: Shape.Type, from value: JSONValue, what: String) throws(NautobotError) -> Shape {
        do {
            return try JSONValueDecoder().decode(type, from: value)
        } catch let error as DecodingError {
            throw .invalidAnswer("Nautobot's \(what) cannot be read: \(error.fieldDescription)")
        } catch {
            throw .invalidAnswer("Nautobot's \(what) cannot be read: \(error)")
        }
    }
}
