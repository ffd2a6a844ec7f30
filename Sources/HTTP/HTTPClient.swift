import StepRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The steps' HTTP client, on libcurl: TLS always verified (unless BMC code says otherwise),
/// http and https only, retries with backoff for idempotent requests on transient failures,
/// streaming bodies, and nothing about credentials in any log line.
///
/// ```swift
/// let client = try HTTPClient(tls: TLSOptions(caFile: "/etc/ca.pem"))
/// let response = try client.send(HTTPRequest(.get, "https://nautobot.local/api/"))
/// ```
///
/// Synchronous, one request at a time: a step does one thing after another.
public final class HTTPClient {
    public let tls: TLSOptions
    public var retry: RetryPolicy
    public var userAgent: String
    /// Where to connect instead, per `HOST:PORT` of a URL (`HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`,
    /// as `curl --connect-to`): the URL, the Host header and the certificate check stay the URL's.
    public var connectTo: [String] {
        get { transfer.connectTo }
        set { transfer.connectTo = newValue }
    }
    private let transfer: CurlTransfer

    public init(tls: TLSOptions = .system, retry: RetryPolicy = RetryPolicy(), userAgent: String = "baremetal-steps/\(StepVersion.current)")
        throws(HTTPError)
    {
        guard let transfer = CurlTransfer() else {
            throw HTTPError(kind: .other, url: "", detail: "libcurl could not be initialised")
        }
        self.tls = tls
        self.retry = retry
        self.userAgent = userAgent
        self.transfer = transfer
    }

    /// Sends the request, retrying it (when retryable) on connection failures, timeouts and the
    /// statuses 429, 500, 502, 503, 504, waiting as `retry` says or as the server's Retry-After
    /// asks. Returns the last response whatever its status; throws only when no answer came.
    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        guard let scheme = URLText.scheme(request.url), scheme == "http" || scheme == "https" else {
            throw HTTPError(kind: .protocolNotAllowed, url: URLText.printable(request.url), detail: "")
        }
        let printable = URLText.printable(request.url)
        if case .stream(let source, let sourceTLS, let framing, let checksum) = request.body {
            // A stream cannot be replayed: one attempt; the caller decides about another.
            let started = Self.monotonicSeconds()
            let response: HTTPResponse
            do throws(HTTPError) {
                response = try transfer.performPiped(
                    try Self.bounded(request, now: started), source: source, sourceTLS: sourceTLS, framing: framing, checksum: checksum,
                    tls: tls, userAgent: userAgent)
            } catch {
                throw Self.judged(error, of: request)
            }
            let elapsed = Int((Self.monotonicSeconds() - started) * 1000)
            Log.debug(
                "\(request.method.rawValue) \(printable) (streamed from \(URLText.printable(source.url))) → \(response.status) in \(elapsed) ms"
            )
            return try Self.judged(response, of: request)
        }
        let attempts = request.isRetryable ? retry.maxAttempts : 1
        var attempt = 1
        while true {
            let started = Self.monotonicSeconds()
            let outcome: Result<HTTPResponse, HTTPError>
            do throws(HTTPError) {
                outcome = .success(try transfer.perform(try Self.bounded(request, now: started), tls: tls, userAgent: userAgent))
            } catch {
                outcome = .failure(error)
            }
            let elapsed = Int((Self.monotonicSeconds() - started) * 1000)
            let retryAfter: String?
            switch outcome {
            case .success(let response):
                Log.debug("\(request.method.rawValue) \(printable) → \(response.status) in \(elapsed) ms")
                guard response.isTransientStatus, attempt < attempts else { return try Self.judged(response, of: request) }
                retryAfter = response.header("Retry-After")
                if let delay = retry.delay(afterAttempt: attempt, retryAfter: retryAfter), Self.fits(delay, before: request.deadline) {
                    Log.info(
                        "\(request.method.rawValue) \(printable) answered \(response.status); retrying in \(StepDuration.text(delay)) (attempt \(attempt + 1) of \(attempts))"
                    )
                    retry.sleep(delay)
                } else {
                    return try Self.judged(response, of: request)
                }
            case .failure(let failure):
                Log.debug("\(request.method.rawValue) \(printable) failed in \(elapsed) ms: \(failure.detail)")
                var error = Self.judged(failure, of: request)
                error.attempts = attempt
                guard error.isTransient, attempt < attempts, let delay = retry.delay(afterAttempt: attempt, retryAfter: nil),
                    Self.fits(delay, before: request.deadline)
                else {
                    throw error
                }
                Log.info(
                    "\(request.method.rawValue) \(printable): \(error.detail); retrying in \(StepDuration.text(delay)) (attempt \(attempt + 1) of \(attempts))"
                )
                retry.sleep(delay)
            }
            attempt += 1
        }
    }

    /// The request with its timeouts cut to what is left before its deadline; past the
    /// deadline it is not sent at all.
    static func bounded(_ request: HTTPRequest, now: Double) throws(HTTPError) -> HTTPRequest {
        if let signal = TerminationSignal.signalName, !request.isCleanup {
            throw HTTPError(kind: .stopped, url: URLText.printable(request.url), detail: "not sent: the step is stopping (\(signal))")
        }
        guard let deadline = request.deadline else { return request }
        let left = deadline - now
        guard left > 0.001 else {
            throw HTTPError(kind: .timedOut, url: URLText.printable(request.url), detail: "the deadline passed before it was sent")
        }
        var bounded = request
        bounded.timeouts.connect = min(request.timeouts.connect, left)
        bounded.timeouts.total = min(request.timeouts.total ?? left, left)
        return bounded
    }

    /// Whether a retry after `delay` still starts before the deadline.
    static func fits(_ delay: Double, before deadline: Double?) -> Bool {
        guard let deadline else { return true }
        return monotonicSeconds() + delay < deadline
    }

    /// A lost answer to a change sent in full leaves its outcome unknown.
    static func judged(_ error: HTTPError, of request: HTTPRequest) -> HTTPError {
        var error = error
        if request.isChange && error.requestSent && [.connectionLost, .timedOut, .stopped].contains(error.kind) {
            error.outcomeUnknown = true
        }
        return error
    }

    /// The answers that are not the server's own word on the request: a redirect of a request
    /// carrying credentials (refused, naming where it pointed), and a gateway's 502 or 504 to a
    /// change (the server behind it may have acted).
    static func judged(_ response: HTTPResponse, of request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let printable = URLText.printable(request.url)
        if request.carriesCredentials, (300..<400).contains(response.status), response.status != 304 {
            let target = response.header("Location").map { URLText.printable($0) } ?? "no Location"
            throw HTTPError(kind: .redirectRefused, url: printable, detail: "HTTP \(response.status) to \(target)")
        }
        if request.isChange, response.status == 502 || response.status == 504 {
            var error = HTTPError(kind: .connectionLost, url: printable, detail: "a gateway answered HTTP \(response.status)")
            error.requestSent = true
            error.outcomeUnknown = true
            throw error
        }
        return response
    }

    static func monotonicSeconds() -> Double { StepClock.monotonic() }
}
