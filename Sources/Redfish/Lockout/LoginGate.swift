import StepRuntime

/// Every login to one BMC goes through here, from every step: the history is read again before
/// each attempt, the attempt is written to it before it is sent and its outcome after, and the
/// wait in between is what the strictest known policy needs with everyone's failures counted.
/// Two steps that write at the same moment both see both records: the earlier goes, the later
/// withdraws its record and waits, so together they never pass the threshold.
public final class LoginGate {
    public let history: any LoginHistory
    public private(set) var schedule: AttemptSchedule
    private var known: [LockoutPolicy]
    /// The BMC's policy as read at an earlier login, from the history.
    public private(set) var learned: LockoutPolicy?
    /// Monotonic seconds past which no attempt is started.
    let deadline: Double
    let step: String
    let clock: @Sendable () -> Double
    let sleep: @Sendable (Double) -> Void

    /// Reads the history (before any attempt: an unreachable store ends the step here) and
    /// combines `policies` with the one learned earlier into the strictest.
    public init(
        history: any LoginHistory, policies: [LockoutPolicy], step: String, deadline: Double,
        clock: @escaping @Sendable () -> Double = StepClock.wall, sleep: @escaping @Sendable (Double) -> Void = StepClock.sleep
    ) throws {
        self.history = history
        self.deadline = deadline
        self.step = step
        self.clock = clock
        self.sleep = sleep
        let contents = try history.read()
        learned = contents.learnedPolicy
        known = policies + [contents.learnedPolicy].compactMap { $0 }
        schedule = AttemptSchedule(policy: LockoutPolicy.strictest(known) ?? .cautiousDefault, clock: clock, sleep: sleep)
        schedule.absorb(contents.attempts)
        lastRead = StepClock.monotonic()
        let others = contents.attempts.filter { $0.outcome.mayBeAFailure }.count
        if others > 0 {
            Log.info("login history (\(history.location)): \(others) attempt(s) by earlier or other steps may count as failed logins")
        }
    }

    public var policy: LockoutPolicy { schedule.policy }
    public var failureCount: Int { schedule.failureCount }
    public var waited: Double { schedule.waited }
    public var canAffordAFailure: Bool { schedule.canAffordAFailure }

    /// Makes one login attempt once it is safe: waits as the policy needs (re-reading the
    /// history), records it, sends it through `login`, records its outcome. A wait longer than
    /// the step has left, or a counter that only a success resets, ends the step (exit 1)
    /// without an attempt.
    public func attempt(
        _ credentials: LoginAttempt.Credentials, _ what: String, _ login: () throws -> LoginResult
    ) throws -> LoginResult {
        while true {
            // A read this recent is good enough to compute the wait from: the read after our
            // record is written is what keeps two steps from both going.
            if StepClock.monotonic() - lastRead > 1 { try refresh() }
            let left = deadline - StepClock.monotonic()
            if let refusal = schedule.refusalOfNextAttempt(longestWait: max(0, left)) {
                throw StepError.failure("\(refusal): not \(what)")
            }
            let delay = schedule.delayBeforeNextAttempt()
            if delay > 0 {
                Log.info("waiting \(StepDuration.text(delay)) before \(what), to stay under the BMC's lockout threshold")
                sleep(delay)
                schedule.countWait(delay)
                try TerminationSignal.throwIfRequested()
                continue
            }
            var attempt = LoginAttempt(id: Self.newID(clock()), sent: clock(), outcome: .pending, credentials: credentials, step: step)
            // Written before it is sent: a pod killed mid-attempt still leaves its record. What
            // the store answers is the history right after our write: any record written before
            // ours is in it.
            schedule.record(attempt)
            schedule.absorb(try history.write(attempt).attempts)
            lastRead = StepClock.monotonic()
            if schedule.delay(before: attempt) > 0 {
                // Another step's attempt came first: ours is not sent, and counts for nothing.
                attempt.outcome = .withdrawn
                schedule.record(attempt)
                try history.write(attempt)
                Log.info("another step logged in to this BMC at the same moment: waiting before \(what)")
                continue
            }
            do {
                let result = try login()
                attempt.outcome = if case .accepted = result { .accepted } else { .refused }
                settle(attempt)
                return result
            } catch {
                attempt.outcome = Self.outcome(of: error)
                settle(attempt)
                throw error
            }
        }
    }

    /// After a successful login: the BMC's own policy as its AccountService reports it, kept in
    /// the history for later steps that cannot log in yet, and paced by from now on.
    public func learn(_ policy: LockoutPolicy?) {
        guard var policy else { return }
        policy.source = "learned at an earlier login"
        if learned.map({ !$0.sameRules(as: policy) }) ?? true {
            do {
                try history.remember(policy)
                learned = policy
            } catch {
                Log.warning("could not keep the BMC's lockout policy in the login history: \(Self.describe(error))")
            }
        }
        if !known.contains(where: { $0.sameRules(as: policy) }) {
            known.append(policy)
            schedule.adopt(LockoutPolicy.strictest(known) ?? .cautiousDefault)
        }
    }

    /// After a login: the policy the BMC showed before it (`reported`), else its AccountService as
    /// the signed-in `client` reads it now (some BMCs show it only after a login).
    public func learn(reported: LockoutPolicy?, signedIn client: RedfishClient, root: ServiceRoot) {
        learn(reported ?? (try? AccountService(client: client, root: root))?.lockoutPolicy())
    }

    /// Whether a login with the credentials on record was accepted after `time` (another step
    /// synced the BMC meanwhile), as the history says now.
    public func recordAcceptedSince(_ time: Double) throws -> Bool {
        try refresh()
        return schedule.others.contains { $0.credentials == .record && $0.outcome == .accepted && $0.sent > time }
    }

    /// The time this step's first attempt was sent.
    public var firstAttemptTime: Double? { schedule.own.map(\.sent).min() }

    /// Drops the records no policy window can count any more, keeping an hour whatever the policy.
    public func finish() {
        let expired = schedule.expired(at: clock(), keep: 3600).map(\.id)
        guard !expired.isEmpty else { return }
        do {
            try history.forget(expired)
        } catch {
            Log.warning("could not prune \(expired.count) old record(s) from the login history: \(Self.describe(error))")
        }
    }

    func refresh() throws {
        schedule.absorb(try history.read().attempts)
        lastRead = StepClock.monotonic()
    }

    /// When the history was last read (monotonic seconds).
    private var lastRead = -Double.infinity

    /// The outcome goes to the history; if it cannot, the record stays pending, which every
    /// reader counts as a failure: safe, only slower.
    func settle(_ attempt: LoginAttempt) {
        schedule.record(attempt)
        do {
            try history.write(attempt)
        } catch {
            Log.warning("could not record the outcome of a login in the login history (it counts as failed): \(Self.describe(error))")
        }
    }

    /// What a login that threw was: never sent in full (not counted), answered "busy" (not
    /// counted), or anything else (the BMC may have counted it).
    static func outcome(of error: any Error) -> LoginAttempt.Outcome {
        switch error as? RedfishError {
        case .transport(let failure) where !failure.requestSent: .withdrawn
        case .refused(let status, _, _) where status == 503 || status == 429: .busy
        default: .unknown
        }
    }

    static func describe(_ error: any Error) -> String { (error as? any StepFailure)?.message ?? "\(error)" }

    static func newID(_ now: Double) -> String {
        let millis = Int64((now * 1000).rounded(.down))
        let hex = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(millis).\(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }

}

extension LockoutPolicy {
    /// The same rules, whatever their source says.
    func sameRules(as other: LockoutPolicy) -> Bool {
        threshold == other.threshold && resetAfter == other.resetAfter && duration == other.duration
            && minimumSpacing == other.minimumSpacing && resetEnabled == other.resetEnabled
    }
}
