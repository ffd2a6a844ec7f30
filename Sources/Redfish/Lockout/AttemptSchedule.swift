import StepRuntime

/// When the next login that might fail may be made without reaching a lockout, counting this
/// step's own attempts and every other step's from the shared history.
///
/// Failures are counted as Redfish does, from the last failure: once `threshold - 1` failures
/// stand, the next attempt waits until `resetAfter` has passed since the last one (the count is
/// then zero). So a failing attempt can never be the one that reaches the threshold. This is
/// also safe for iDRAC's sliding window (3 failures in 60 s), and costs at most a second more.
/// An attempt whose outcome is not known (pending, answer lost) counts as a failure. A success
/// resets the count only where the BMC says only a success does
/// (`AccountLockoutCounterResetEnabled: false`): elsewhere a BMC's source-address block (iDRAC)
/// may not forget a failure because a login then worked.
public struct AttemptSchedule: Sendable {
    public private(set) var policy: LockoutPolicy
    /// A little past each boundary: the BMC's clock and ours are not the same clock.
    public var margin: Double {
        min(1.0, max(0.05, 0.05 * max(policy.resetAfter.isFinite ? policy.resetAfter : 20, policy.minimumSpacing)))
    }
    private let clock: @Sendable () -> Double
    private let sleep: @Sendable (Double) -> Void
    /// This step's own attempts, authoritative for their outcomes.
    public private(set) var own: [LoginAttempt] = []
    /// Everyone else's, as last read from the history.
    public private(set) var others: [LoginAttempt] = []
    public private(set) var waited: Double = 0

    public init(
        policy: LockoutPolicy,
        clock: @escaping @Sendable () -> Double = AttemptSchedule.monotonic,
        sleep: @escaping @Sendable (Double) -> Void = AttemptSchedule.realSleep
    ) {
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
    }

    /// Paces by `policy` from now on (a stricter one learned after a login), attempts kept.
    public mutating func adopt(_ policy: LockoutPolicy) { self.policy = policy }

    /// Takes in what the shared history holds now; this step's own records win over their copies.
    public mutating func absorb(_ history: [LoginAttempt]) {
        let ownIDs = Set(own.map(\.id))
        others = history.filter { !ownIDs.contains($0.id) }
    }

    /// Adds this step's attempt, or updates its outcome.
    public mutating func record(_ attempt: LoginAttempt) {
        if let index = own.firstIndex(where: { $0.id == attempt.id }) {
            own[index] = attempt
        } else {
            own.append(attempt)
        }
    }

    /// A login that was refused, now (for callers without a history).
    public mutating func recordFailure() {
        record(
            LoginAttempt(id: "local-\(own.count)", sent: clock(), outcome: .refused, credentials: .record, step: "this step"))
    }

    /// Why the next attempt cannot be made within `longestWait` seconds, nil when it can: a
    /// counter that never resets with threshold - 1 failures standing, or a reset further away
    /// than the step can wait. Then no more passwords may be tried.
    public func refusalOfNextAttempt(longestWait: Double) -> String? {
        let now = clock()
        let all = own + others
        guard let threshold = policy.threshold, all.contains(where: { $0.outcome.mayBeAFailure }) else {
            let delay = delay(at: now, all)
            return delay > longestWait ? tooLong(delay, longestWait) : nil
        }
        let standing = standing(at: now, all)
        if !policy.resetEnabled && standing.count + 1 >= threshold {
            return
                "the BMC's failed-login count never resets by time (AccountLockoutCounterResetEnabled false) and \(standing.count) of the \(threshold - 1) failures it allows before locking stand"
        }
        let delay = delay(at: now, all)
        return delay > longestWait ? tooLong(delay, longestWait) : nil
    }

    func tooLong(_ delay: Double, _ longestWait: Double) -> String {
        "the BMC's policy (\(policy)) would need a wait of \(delay.isFinite ? StepDuration.wholeText(delay) : "forever") before the next attempt, longer than the \(StepDuration.wholeText(max(0, longestWait))) this step may wait"
    }

    /// Whether one more failure could ever be afforded: a threshold of 1 locks on the first.
    public var canAffordAFailure: Bool { (policy.threshold ?? 2) > 1 }

    /// This step's own failed logins (refused, or possibly counted).
    public var failureCount: Int { own.filter { $0.outcome == .refused || $0.outcome == .unknown }.count }

    /// Seconds from now until the next attempt is safe.
    public func delayBeforeNextAttempt() -> Double { delay(at: clock(), own + others) }

    /// Seconds `attempt` should have waited, counting only the attempts made before it: more
    /// than zero when another step's attempt slipped in between our last read and our record.
    public func delay(before attempt: LoginAttempt) -> Double {
        delay(at: attempt.sent, (own + others).filter { $0.id != attempt.id && $0.precedes(attempt) })
    }

    /// Waits until the next attempt is safe; returns the seconds waited.
    @discardableResult
    public mutating func waitForNextAttempt() -> Double {
        let delay = delayBeforeNextAttempt()
        if delay > 0 {
            sleep(delay)
            waited += delay
        }
        return delay
    }

    /// Counts a wait made by the caller (between reads of the history).
    public mutating func countWait(_ seconds: Double) { waited += seconds }

    func delay(at now: Double, _ attempts: [LoginAttempt]) -> Double {
        let standing = standing(at: now, attempts)
        guard let last = standing.last else { return 0 }
        var earliest = now
        if policy.minimumSpacing > 0 { earliest = max(earliest, last + policy.minimumSpacing + margin) }
        if let threshold = policy.threshold, standing.count + 1 >= threshold {
            earliest = policy.resetEnabled ? max(earliest, last + policy.resetAfter + margin) : .infinity
        }
        return max(0, earliest - now)
    }

    /// The count the BMC holds at `time`, and the last failure: zero once `resetAfter` has passed
    /// since the last failure, unless the BMC never resets it by time.
    func standing(at time: Double, _ attempts: [LoginAttempt]) -> (count: Int, last: Double?) {
        var count = 0
        var last: Double?
        for attempt in attempts.sorted(by: { $0.precedes($1) }) {
            if attempt.outcome.mayBeAFailure {
                if policy.resetEnabled, let previous = last, attempt.sent - previous >= policy.resetAfter { count = 0 }
                count += 1
                last = max(last ?? attempt.sent, attempt.sent)
            } else if attempt.outcome == .accepted && !policy.resetEnabled {
                count = 0
            }
        }
        if policy.resetEnabled, let previous = last, time - previous >= policy.resetAfter { count = 0 }
        return (count, last)
    }

    /// The attempts no window of this policy can count at `time`, oldest first, keeping at least
    /// `keep` seconds of them whatever the policy: another step may pace by a stricter one.
    public func expired(at time: Double, keep: Double) -> [LoginAttempt] {
        let all = (own + others).sorted { $0.precedes($1) }
        let window = [policy.resetAfter, policy.minimumSpacing, policy.duration].filter(\.isFinite).max() ?? 0
        let horizon = time - max(keep, 2 * window + margin)
        // Where only a success resets the count, failures since the last success stay.
        let lastSuccess = policy.resetEnabled ? nil : all.last { $0.outcome == .accepted }?.sent
        return all.filter { attempt in
            guard attempt.sent < horizon, attempt.outcome != .pending || attempt.sent < horizon - 3600 else { return false }
            if let lastSuccess, attempt.outcome.mayBeAFailure, attempt.sent > lastSuccess { return false }
            if let lastSuccess, attempt.outcome == .accepted, attempt.sent == lastSuccess { return false }
            return true
        }
    }

    public static let monotonic = StepClock.monotonic
    public static let realSleep = StepClock.sleep
}
