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
        if case .stream(let source, let sourceTLS, let framing) = request.body {
            // A stream cannot be replayed: one attempt; the caller decides about another.
            let started = Self.monotonicSeconds()
            let response = try transfer.performPiped(
                request, source: source, sourceTLS: sourceTLS, framing: framing, tls: tls, userAgent: userAgent)
            let elapsed = Int((Self.monotonicSeconds() - started) * 1000)
            Log.debug(
                "\(request.method.rawValue) \(printable) (streamed from \(URLText.printable(source.url))) → \(response.status) in \(elapsed) ms"
            )
            return response
        }
        let attempts = request.isRetryable ? retry.maxAttempts : 1
        var attempt = 1
        while true {
            let started = Self.monotonicSeconds()
            let outcome: Result<HTTPResponse, HTTPError>
            do throws(HTTPError) {
                outcome = .success(try transfer.perform(request, tls: tls, userAgent: userAgent))
            } catch {
                outcome = .failure(error)
            }
            let elapsed = Int((Self.monotonicSeconds() - started) * 1000)
            let retryAfter: String?
            switch outcome {
            case .success(let response):
                Log.debug("\(request.method.rawValue) \(printable) → \(response.status) in \(elapsed) ms")
                guard response.isTransientStatus, attempt < attempts else { return response }
                retryAfter = response.header("Retry-After")
                if let delay = retry.delay(afterAttempt: attempt, retryAfter: retryAfter) {
                    Log.info(
                        "\(request.method.rawValue) \(printable) answered \(response.status); retrying in \(Self.format(delay)) (attempt \(attempt + 1) of \(attempts))"
                    )
                    retry.sleep(delay)
                } else {
                    return response
                }
            case .failure(var error):
                Log.debug("\(request.method.rawValue) \(printable) failed in \(elapsed) ms: \(error.detail)")
                error.attempts = attempt
                guard error.isTransient, attempt < attempts, let delay = retry.delay(afterAttempt: attempt, retryAfter: nil) else {
                    throw error
                }
                Log.info(
                    "\(request.method.rawValue) \(printable): \(error.detail); retrying in \(Self.format(delay)) (attempt \(attempt + 1) of \(attempts))"
                )
                retry.sleep(delay)
            }
            attempt += 1
        }
    }

    static func format(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }

    static func monotonicSeconds() -> Double { StepClock.monotonic() }
}
