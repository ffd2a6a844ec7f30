/// An HTTP method; the idempotent ones may be retried on transient failures.
public enum HTTPMethod: String, Sendable, CaseIterable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
    case options = "OPTIONS"

    /// RFC 9110's idempotent methods: repeating them cannot do more than doing them once.
    public var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete, .options: true
        case .post, .patch: false
        }
    }
}

/// One request header. Kept as a list, not a dictionary: order and repeats are the caller's.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Headers whose value is a credential: never logged, whatever the level.
    public var isCredential: Bool {
        let lower = name.lowercased()
        return lower == "authorization" || lower == "x-auth-token" || lower == "cookie"
            || lower == "proxy-authorization"
    }
}

/// Bytes sent before and after a streamed body, counted into its Content-Length: the parts of a
/// multipart form around a firmware image, without holding the image in memory.
public struct BodyFraming: Sendable, Equatable {
    public var prefix: [UInt8]
    public var suffix: [UInt8]

    public init(prefix: [UInt8], suffix: [UInt8]) {
        self.prefix = prefix
        self.suffix = suffix
    }

    public static let none = BodyFraming(prefix: [], suffix: [])
}

/// What a request sends as its body.
public enum RequestBody: Sendable {
    case none
    case bytes([UInt8])
    /// A file streamed from disk with its exact length as Content-Length, never held in memory.
    case file(path: String, framing: BodyFraming = .none)
    /// Another server's answer to `source` (a GET), streamed through as it downloads, with the
    /// length that server announced as Content-Length: a firmware image goes from its web server
    /// to a BMC without touching memory or disk. `tls` checks the source's certificate. The
    /// source must announce its length; one that does not is an error (spool it to a file).
    /// With a `checksum`, the source's bytes are digested as they pass and the last of them are
    /// held back until the digest matches: a body that does not is never sent whole.
    indirect case stream(from: HTTPRequest, tls: TLSOptions, framing: BodyFraming = .none, checksum: BodyChecksum? = nil)
}

/// Where a response body goes.
public enum ResponseDestination: Sendable {
    /// Kept in memory, up to `limit` bytes; a larger body fails the request (a hostile or broken
    /// server must not exhaust the step's memory).
    case memory(limit: Int)
    /// Streamed to a file as it arrives, created or truncated.
    case file(path: String)

    public static let defaultMemoryLimit = 64 * 1024 * 1024
}

/// How long a request may take. `total` nil means no overall limit (a firmware upload); then a
/// transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is a stall and fails.
public struct HTTPTimeouts: Sendable, Equatable {
    public var connect: Double
    public var total: Double?
    public var lowSpeedBytesPerSecond: Int
    public var lowSpeedSeconds: Int

    public init(connect: Double = 10, total: Double? = 60, lowSpeedBytesPerSecond: Int = 1, lowSpeedSeconds: Int = 60) {
        self.connect = connect
        self.total = total
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedSeconds = lowSpeedSeconds
    }

    /// For clean-up after a stop (deleting a session, giving up a Lease): short enough to fit
    /// inside Kubernetes' 30 s grace whatever else is still to do.
    public static let cleanup = HTTPTimeouts(connect: 3, total: 5)
}

/// A request to send: method, absolute http(s) URL, headers, body.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: [HTTPHeader]
    public var body: RequestBody
    public var destination: ResponseDestination
    public var timeouts: HTTPTimeouts
    /// Whether a transient failure may be retried; defaults to the method's idempotency. A POST
    /// the server treats as idempotent may set it; a GET with side effects may clear it.
    public var isRetryable: Bool
    /// Whether the request carries a credential: a credential header, or (said by the caller) a
    /// password in its body. Such a request never follows a redirect; a redirect is an error
    /// naming its target, because libcurl would send the body, and some headers, to wherever the
    /// server points.
    public var carriesCredentials: Bool
    /// Whether the request goes on a connection of its own, closed after it. libcurl silently
    /// re-sends a request that got no answer on a reused connection, whatever its method
    /// (`Curl_retry_request` in lib/transfer.c), and no option turns that off: a request that
    /// changes something must reach the server at most once. Defaults to the non-idempotent
    /// methods (POST, PATCH).
    public var freshConnection: Bool
    /// When the caller's whole task must be over (`StepClock.monotonic` seconds): every attempt,
    /// retry wait and transfer of this request ends by then. nil: only `timeouts` bound it.
    public var deadline: Double?
    /// Clean-up (deleting a session): still sent after a stop was asked for (TerminationSignal),
    /// which every other request is not.
    public var isCleanup = false

    /// Whether libcurl follows redirects itself (http and https only).
    public var followsRedirects: Bool { !carriesCredentials }

    /// Whether the request asks the server to change something and repeating it is not harmless
    /// (a POST or PATCH not marked retryable): its lost answer leaves the outcome unknown.
    public var isChange: Bool { !method.isIdempotent && !isRetryable }

    public init(
        _ method: HTTPMethod,
        _ url: String,
        headers: [HTTPHeader] = [],
        body: RequestBody = .none,
        destination: ResponseDestination = .memory(limit: ResponseDestination.defaultMemoryLimit),
        timeouts: HTTPTimeouts = HTTPTimeouts(),
        isRetryable: Bool? = nil,
        carriesCredentials: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.destination = destination
        self.timeouts = timeouts
        self.isRetryable = isRetryable ?? method.isIdempotent
        self.carriesCredentials = carriesCredentials || headers.contains { $0.isCredential }
        self.freshConnection = !method.isIdempotent
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
