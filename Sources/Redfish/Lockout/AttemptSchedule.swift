import StepRuntime

/// When the next login that might fail may be made without reaching a lockout.
///
/// Failures are counted as Redfish does, from the last failure: once `threshold - 1` failures
/// stand, the next attempt waits until `resetAfter` has passed since the last one (the count is
/// then zero). So a failing attempt can never be the one that reaches the threshold. This is
/// also safe for iDRAC's sliding window (3 failures in 60 s), and costs at most a second more.
public struct AttemptSchedule: Sendable {
    public let policy: LockoutPolicy
    /// A little past each boundary: the BMC's clock and ours are not the same clock.
    public let margin: Double
    private let clock: @Sendable () -> Double
    private let sleep: @Sendable (Double) -> Void
    private(set) var failures: [Double] = []
    private var countedSinceReset = 0
    public private(set) var waited: Double = 0

    public init(
        policy: LockoutPolicy,
        clock: @escaping @Sendable () -> Double = AttemptSchedule.monotonic,
        sleep: @escaping @Sendable (Double) -> Void = AttemptSchedule.realSleep
    ) {
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        margin = min(1.0, max(0.05, 0.05 * max(policy.resetAfter, policy.minimumSpacing)))
    }

    /// Why the next attempt cannot be made within `longestWait` seconds, nil when it can: a
    /// counter that never resets with threshold - 1 failures standing, or a reset further away
    /// than the step can wait. Then no more passwords may be tried.
    public func refusalOfNextAttempt(longestWait: Double) -> String? {
        guard let threshold = policy.threshold, !failures.isEmpty else { return nil }
        if !policy.resetEnabled && countedFailures(at: clock()) + 1 >= threshold {
            return
                "the BMC's failed-login count never resets by time (AccountLockoutCounterResetEnabled false) and \(failures.count) of the \(threshold - 1) failures it allows before locking stand"
        }
        let delay = delayBeforeNextAttempt()
        if delay > longestWait {
            return
                "the BMC's policy (\(policy)) would need a wait of \(delay.isFinite ? "\(Int(delay.rounded())) s" : "forever") before the next attempt, longer than the \(Int(longestWait)) s this step may wait"
        }
        return nil
    }

    /// Whether one more failure could ever be afforded: a threshold of 1 locks on the first.
    public var canAffordAFailure: Bool { (policy.threshold ?? 2) > 1 }

    public var failureCount: Int { failures.count }

    /// Seconds from now until the next attempt is safe.
    public func delayBeforeNextAttempt() -> Double {
        guard let last = failures.last else { return 0 }
        let now = clock()
        var earliest = now
        if policy.minimumSpacing > 0 { earliest = max(earliest, last + policy.minimumSpacing + margin) }
        if let threshold = policy.threshold, countedFailures(at: now) + 1 >= threshold {
            earliest = max(earliest, last + policy.resetAfter + margin)
        }
        return max(0, earliest - now)
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

    /// A login that was refused.
    public mutating func recordFailure() {
        let now = clock()
        countedSinceReset = countedFailures(at: now) + 1
        failures.append(now)
    }

    /// The count the BMC holds now: zero once `resetAfter` has passed since the last failure,
    /// unless the BMC never resets it by time.
    func countedFailures(at time: Double) -> Int {
        guard let last = failures.last else { return 0 }
        return policy.resetEnabled && time - last >= policy.resetAfter ? 0 : countedSinceReset
    }

    public static let monotonic = StepClock.monotonic
    public static let realSleep = StepClock.sleep
}
