import Foundation

/// What follows a failed attempt of a retried container, judged as Argo's operator.go
/// (processNodeRetries) judges it: the limit first, then retryStrategy.expression, then
/// backoff.maxDuration (a deadline counted from the first attempt's start).
enum RetryDecision: Equatable {
    /// Try again after this many seconds (before the runner's backoff scale).
    case retry(after: Double)
    /// No more attempts, with the Retry node's message as Argo writes it.
    case stop(String)

    static func after(
        attempt: Int, exitCode: Int32, retry: RetryStrategy?, firstStart: Date, finished: Date, now: Date, backoffScale: Double
    ) throws -> RetryDecision {
        guard let retry, attempt < retry.limit + 1 else { return .stop("No more retries left") }
        if let expression = retry.expression, try !RetryExpression.evaluate(expression, exitCode: exitCode) {
            return .stop("retryStrategy.expression evaluated to false")
        }
        guard let backoff = retry.backoff else { return .retry(after: 0) }
        let deadline = backoff.maxDuration.map { firstStart.addingTimeInterval($0) }
        if let deadline, now > deadline { return .stop("Max duration limit exceeded") }
        let delay = backoff.wait(afterAttempts: attempt)
        if let deadline, finished.addingTimeInterval(delay * backoffScale) > deadline {
            return .stop("Backoff would exceed max duration limit")
        }
        return .retry(after: delay)
    }

    /// The deadline a retried pod runs under: its own activeDeadlineSeconds, shortened by what is
    /// left of maxDuration after the first attempt (Argo's opts.executionDeadline).
    static func podDeadline(template: Template, attempt: Int, firstStart: Date, now: Date) -> Double? {
        guard attempt > 1, let maxDuration = template.retry?.backoff?.maxDuration else { return template.activeDeadlineSeconds }
        let left = max(0, firstStart.addingTimeInterval(maxDuration).timeIntervalSince(now))
        return min(template.activeDeadlineSeconds ?? left, left)
    }
}
