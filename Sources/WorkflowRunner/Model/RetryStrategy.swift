import Foundation

/// A retryStrategy: how many times, when (an expression), and how long between.
public struct RetryStrategy: Sendable {
    public var limit: Int
    public var expression: String?
    /// nil: Argo retries at once.
    public var backoff: Backoff?

    /// `retryStrategy.backoff` as Argo's controller applies it (workflow/controller/operator.go,
    /// processNodeRetries): the wait before retry n is `duration × factor^(n-1)` (no factor: the
    /// same duration every time), never more than `cap`; `maxDuration` is a deadline counted from
    /// the first attempt's start, past which no retry starts and at which a retried pod is killed.
    public struct Backoff: Sendable {
        public var duration: Double
        public var factor: Int?
        public var cap: Double?
        public var maxDuration: Double?

        /// The wait after `attempts` attempts have failed, before the next one.
        public func wait(afterAttempts attempts: Int) -> Double {
            var wait = duration
            if let factor, factor > 0 { wait = duration * pow(Double(factor), Double(attempts - 1)) }
            if let cap { wait = min(wait, cap) }
            return wait
        }
    }

    /// The longest a step can take with every retry: each attempt up to `activeDeadlineSeconds`,
    /// and every wait between them. A `maxDuration` below it kills a retried attempt mid-work.
    public func longestRun(activeDeadlineSeconds: Double) -> Double {
        let waits = limit > 0 ? (1...limit).map { backoff?.wait(afterAttempts: $0) ?? 0 }.reduce(0, +) : 0
        return Double(limit + 1) * activeDeadlineSeconds + waits
    }
}
