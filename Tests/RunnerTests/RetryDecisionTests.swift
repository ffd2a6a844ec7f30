import Foundation
import Testing

@testable import WorkflowRunner

/// What follows a failed attempt, in the order Argo's processNodeRetries judges it, with the
/// Retry node's message it writes.
@Suite struct RetryDecisionTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    func strategy(limit: Int, expression: String? = nil, backoff: RetryStrategy.Backoff? = nil) -> RetryStrategy {
        RetryStrategy(limit: limit, expression: expression, backoff: backoff)
    }

    func decide(_ retry: RetryStrategy?, attempt: Int, exit: Int32 = 75, after seconds: Double = 10) throws -> RetryDecision {
        let now = start.addingTimeInterval(seconds)
        return try RetryDecision.after(
            attempt: attempt, exitCode: exit, retry: retry, firstStart: start, finished: now, now: now, backoffScale: 1)
    }

    @Test func withoutAStrategyOrPastTheLimitNoMoreRetriesAreLeft() throws {
        #expect(try decide(nil, attempt: 1) == .stop("No more retries left"))
        #expect(try decide(strategy(limit: 2), attempt: 2) == .retry(after: 0))
        #expect(try decide(strategy(limit: 2), attempt: 3) == .stop("No more retries left"))
    }

    @Test func theLimitIsJudgedBeforeTheExpression() throws {
        let retry = strategy(limit: 1, expression: "asInt(lastRetry.exitCode) == 75")
        #expect(try decide(retry, attempt: 1, exit: 75) == .retry(after: 0))
        #expect(try decide(retry, attempt: 1, exit: 1) == .stop("retryStrategy.expression evaluated to false"))
        #expect(try decide(retry, attempt: 2, exit: 1) == .stop("No more retries left"))
    }

    @Test func backoffGrowsByItsFactorUpToItsCap() throws {
        let retry = strategy(limit: 5, backoff: RetryStrategy.Backoff(duration: 10, factor: 2, cap: 30, maxDuration: nil))
        #expect(
            try (1...4).map { try decide(retry, attempt: $0) } == [
                .retry(after: 10), .retry(after: 20), .retry(after: 30), .retry(after: 30),
            ])
    }

    @Test func maxDurationIsADeadlineFromTheFirstStart() throws {
        let retry = strategy(limit: 5, backoff: RetryStrategy.Backoff(duration: 60, factor: nil, cap: nil, maxDuration: 300))
        #expect(try decide(retry, attempt: 1, after: 200) == .retry(after: 60))
        #expect(try decide(retry, attempt: 2, after: 250) == .stop("Backoff would exceed max duration limit"))
        #expect(try decide(retry, attempt: 2, after: 301) == .stop("Max duration limit exceeded"))
    }

    @Test func aRetriedPodRunsUnderWhatIsLeftOfMaxDuration() throws {
        let retry = strategy(limit: 2, backoff: RetryStrategy.Backoff(duration: 1, factor: nil, cap: nil, maxDuration: 300))
        let template = Template(
            name: "flash", inputs: [], outputs: [], body: .container(image: "x", args: [], env: []), retry: retry,
            activeDeadlineSeconds: 240, parallelism: nil)
        #expect(RetryDecision.podDeadline(template: template, attempt: 1, firstStart: start, now: start) == 240)
        #expect(RetryDecision.podDeadline(template: template, attempt: 2, firstStart: start, now: start.addingTimeInterval(100)) == 200)
        #expect(RetryDecision.podDeadline(template: template, attempt: 3, firstStart: start, now: start.addingTimeInterval(290)) == 10)
    }
}
