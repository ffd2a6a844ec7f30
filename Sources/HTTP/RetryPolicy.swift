import StepRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// When and how long to wait before another attempt: exponential backoff with full jitter,
/// or the server's Retry-After when it gives one, for idempotent requests that met a transient
/// failure (connection refused or reset, timeout, DNS, 429, 500, 502, 503, 504).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// A Retry-After longer than this is not waited for: the step gives up (exit 75) and lets
    /// Argo's retryStrategy come back later instead of holding a pod.
    public var maxRetryAfter: Double
    /// Sleeps for the given seconds; replaceable so tests can record delays instead of waiting.
    public var sleep: @Sendable (Double) -> Void
    /// A number in [0, 1) for jitter; replaceable for repeatable tests.
    public var random: @Sendable () -> Double

    public init(
        maxAttempts: Int = 4,
        baseDelay: Double = 0.5,
        maxDelay: Double = 8,
        maxRetryAfter: Double = 60,
        sleep: @escaping @Sendable (Double) -> Void = RetryPolicy.realSleep,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.sleep = sleep
        self.random = random
    }

    /// One attempt only.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1), or nil to give up.
    public func delay(afterAttempt attempt: Int, retryAfter: String?, now: Double = RetryPolicy.wallClock()) -> Double? {
        guard attempt < maxAttempts else { return nil }
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter, now: now) {
            return seconds <= maxRetryAfter ? seconds : nil
        }
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 30)))
        // Half fixed, half random: spread out a fleet's retries, but never retry at once.
        return ceiling / 2 + ceiling / 2 * random()
    }

    /// Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date (RFC 9110 10.2.3).
    public static func parseRetryAfter(_ value: String, now: Double) -> Double? {
        let trimmed = value.trimming(" \t")
        if let seconds = Int(trimmed), seconds >= 0 { return Double(seconds) }
        guard let date = parseHTTPDate(trimmed) else { return nil }
        return max(0, date - now)
    }

    /// Seconds since the epoch of an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func parseHTTPDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(clock[0])
        fields.tm_min = Int32(clock[1])
        fields.tm_sec = Int32(clock[2])
        return Double(timegm(&fields))
    }

    public static func wallClock() -> Double { StepClock.wall() }

    public static let realSleep = StepClock.sleep
}
