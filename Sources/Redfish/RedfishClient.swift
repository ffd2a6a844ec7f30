import FoundationEssentials
import HTTP
import JSON
import StepRuntime

/// A Redfish resource as read: its JSON, its ETag (for If-Match), and where it lives.
public struct RedfishResource: Sendable {
    public var path: String
    public var json: JSONValue
    public var etag: String?

    public init(path: String, json: JSONValue, etag: String?) {
        self.path = path
        self.json = json
        self.etag = etag
    }

    /// The `@odata.id` of a link property (`{"@odata.id": "/redfish/v1/..."}`), if present.
    public func link(_ name: String) -> String? { json[name]?["@odata.id"]?.stringValue }

    /// The `@odata.id`s of a collection's `Members`.
    public var members: [String] { json["Members"]?.arrayValue?.compactMap { $0["@odata.id"]?.stringValue } ?? [] }
}

/// How a request to the BMC proves who it is.
public enum RedfishAuthentication: Sendable {
    case none
    case session(token: String)
    /// Only for BMCs without a SessionService, never as a fallback after a failed session login.
    case basic(user: String, password: String)
}

/// Talks Redfish to one BMC: paths from `@odata.id` links, JSON bodies, ETags, messages.
public final class RedfishClient {
    public let endpoint: RedfishEndpoint
    private let http: HTTPClient
    /// Who every request says it is. Fixed for the client's life: a login makes a client of its
    /// own (`signedIn`), so no request goes out as a session that ended or another's.
    public let authentication: RedfishAuthentication
    /// When the step's work must be over (`StepClock.monotonic`): every request but a clean-up
    /// ends by then, so no poll or retry outlives `--timeout`.
    public var deadline: Double?

    /// How long a clean-up request (a session's DELETE) may take: a few seconds, well inside
    /// Kubernetes' 30 s grace after SIGTERM, whatever the deadline.
    public static let cleanupTimeouts = HTTPTimeouts.cleanup

    public init(endpoint: RedfishEndpoint, retry: RetryPolicy = RetryPolicy()) throws(RedfishError) {
        self.endpoint = endpoint
        authentication = .none
        do {
            http = try HTTPClient(tls: endpoint.tls, retry: retry)
            http.connectTo = endpoint.connectTo
        } catch {
            throw .transport(error)
        }
    }

    private init(endpoint: RedfishEndpoint, http: HTTPClient, authentication: RedfishAuthentication, deadline: Double?) {
        self.endpoint = endpoint
        self.http = http
        self.authentication = authentication
        self.deadline = deadline
    }

    /// This client's connection, its requests signed as `authentication` (a session's token, or
    /// basic credentials where the BMC has no sessions).
    public func signedIn(_ authentication: RedfishAuthentication) -> RedfishClient {
        RedfishClient(endpoint: endpoint, http: http, authentication: authentication, deadline: deadline)
    }

    /// An absolute URL for an `@odata.id` path (or a Location header, absolute or not). A URL on
    /// another server is refused: credentials only ever go to this BMC.
    public func url(for path: String) throws(RedfishError) -> String {
        if URLText.scheme(path) != nil {
            guard URLText.origin(path) == URLText.origin(endpoint.base) else {
                throw .unexpected("the BMC linked to another server (\(URLText.printable(path))); not following")
            }
            return path
        }
        guard path.hasPrefix("/") else { throw .unexpected("the BMC gave a link that is not a path: \(path)") }
        return endpoint.base + path
    }

    /// A request with this client's authentication; any status comes back, the caller judges.
    /// `carriesCredentials` says the body holds a password (a login, a password change): such a
    /// request never follows a redirect.
    public func send(
        _ method: HTTPMethod, _ path: String, body: JSONValue? = nil, headers extra: [HTTPHeader] = [],
        authentication override: RedfishAuthentication? = nil, carriesCredentials: Bool = false, cleanup: Bool = false
    ) throws(RedfishError) -> HTTPResponse {
        var headers = [HTTPHeader("Accept", "application/json"), HTTPHeader("OData-Version", "4.0")]
        headers += Self.headers(for: override ?? authentication)
        if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        var request = HTTPRequest(
            method, try url(for: path), headers: headers + extra, body: body.map { .bytes(Array($0.serialized.utf8)) } ?? .none,
            timeouts: cleanup ? Self.cleanupTimeouts : HTTPTimeouts(connect: 10, total: 120), carriesCredentials: carriesCredentials)
        if cleanup {
            request.isRetryable = false
            request.isCleanup = true
        } else {
            request.deadline = deadline
        }
        do {
            return try http.send(request)
        } catch {
            throw .transport(error)
        }
    }

    /// Sends a body that is not JSON (a firmware image, a multipart form), with no overall
    /// timeout: a stalled transfer (no byte for 60 s) fails instead. Never retried.
    public func upload(_ path: String, body: RequestBody, contentType: String, headers extra: [HTTPHeader] = []) throws(RedfishError)
        -> HTTPResponse
    {
        let headers =
            [HTTPHeader("Accept", "application/json"), HTTPHeader("Content-Type", contentType)] + Self.headers(for: authentication)
        var request = HTTPRequest(
            .post, try url(for: path), headers: headers + extra, body: body, timeouts: HTTPTimeouts(connect: 10, total: nil),
            isRetryable: false)
        request.deadline = deadline
        do {
            return try http.send(request)
        } catch {
            throw .transport(error)
        }
    }

    /// What a request carries to say who sends it.
    static func headers(for authentication: RedfishAuthentication) -> [HTTPHeader] {
        switch authentication {
        case .none: []
        case .session(let token): [HTTPHeader("X-Auth-Token", token)]
        case .basic(let user, let password):
            [HTTPHeader("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())]
        }
    }

    /// GETs a resource; anything but 2xx is refused with the BMC's messages.
    public func get(_ path: String) throws(RedfishError) -> RedfishResource {
        let response = try send(.get, path)
        guard response.isSuccess else {
            throw .refused(status: response.status, request: "GET \(path)", messages: RedfishMessages.text(response))
        }
        do {
            return RedfishResource(path: path, json: try JSONValue(parsing: response.body), etag: response.header("ETag"))
        } catch {
            throw .unexpected("the BMC's answer to GET \(path) is not JSON (\(error))")
        }
    }
}
