import JSON
import Redfish
import Synchronization
import Testing

/// A clock the schedule reads and its sleeps advance: the real scheduling code, no real waiting.
final class FakeClock: Sendable {
    private let time = Mutex<Double>(1000)
    var now: Double { time.withLock { $0 } }
    func advance(_ seconds: Double) { time.withLock { $0 += seconds } }

    func schedule(_ policy: LockoutPolicy) -> AttemptSchedule {
        AttemptSchedule(policy: policy, clock: { self.now }, sleep: { self.advance($0) })
    }
}

@Suite struct AttemptScheduleTests {
    /// Runs the step's order: record first, then each legacy password, the last one right.
    /// Returns the failure times relative to the start and the total time.
    func simulate(_ policy: LockoutPolicy, failures: Int, attemptCost: Double = 0.05) -> (times: [Double], total: Double) {
        let clock = FakeClock()
        let start = clock.now
        var schedule = clock.schedule(policy)
        var times: [Double] = []
        for attempt in 0...failures {
            if attempt > 0 { schedule.waitForNextAttempt() }
            clock.advance(attemptCost)
            if attempt < failures {
                times.append(clock.now - start)
                schedule.recordFailure()
            }
        }
        return (times, clock.now - start)
    }

    @Test func iDRACThreeLegacyPasswordsTakeOneWindowNotThree() {
        // The record's password wrong and 3 legacy ones, the third right: 3 failures to place.
        let policy = VendorProfile.iDRAC.lockoutPolicy
        let (times, total) = simulate(policy, failures: 3)
        // Never 3 failures within 60 s.
        #expect(times[2] - times[0] >= 60)
        // The shortest the policy allows is 60 s (the third failure once the first ages out);
        // we count from the last failure, as Redfish defines the reset, and add a 1 s margin.
        #expect(total <= 60 * 1.1)
        // A fixed 60 s between attempts would take 180 s.
        #expect(total < 180 / 2)
    }

    @Test func redfishPolicyUsesTheThresholdBeforeWaiting() {
        let policy = LockoutPolicy(threshold: 5, resetAfter: 30, duration: 30, minimumSpacing: 0, source: "test")
        let (times, total) = simulate(policy, failures: 6)
        #expect(times[3] < 1, "four failures go at once: the fifth would lock")
        #expect(times[4] - times[3] >= 30)
        #expect(total < 32)
    }

    @Test func spacingPolicySpacesEveryFailure() {
        let (times, _) = simulate(VendorProfile.iLO.lockoutPolicy, failures: 3)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 10 })
    }

    @Test func aThresholdOfOneAffordsNoFailure() {
        let clock = FakeClock()
        let schedule = clock.schedule(LockoutPolicy(threshold: 1, resetAfter: 60, duration: 60, minimumSpacing: 0, source: "test"))
        #expect(!schedule.canAffordAFailure)
    }

    @Test func noFailureNoWait() {
        let clock = FakeClock()
        #expect(clock.schedule(VendorProfile.unknown.lockoutPolicy).delayBeforeNextAttempt() == 0)
    }
}

@Suite struct LockoutPolicyTests {
    @Test func operatorPolicyParses() throws {
        let policy = try LockoutPolicy.parse("threshold=3,reset-after=60s,duration=1m")
        #expect(policy.threshold == 3 && policy.resetAfter == 60 && policy.duration == 60)
        #expect(try LockoutPolicy.parse("spacing=500ms").minimumSpacing == 0.5)
    }

    @Test func malformedPoliciesAreBadInput() {
        for text in ["", "threshold=0,reset-after=1s", "threshold=3", "threshold=x,reset-after=1s", "bogus=1", "spacing=-1s"] {
            #expect(throws: RedfishError.self, "\(text)") { try LockoutPolicy.parse(text) }
        }
    }
}

/// OBM_CONNECT_TO: routes as curl's --connect-to takes them, refused when malformed.
@Suite struct ConnectRouteTests {
    @Test func routesAreReadAndCheckedLikeCurlsConnectTo() throws {
        let endpoint = try RedfishEndpoint.from(
            host: "192.0.2.11",
            environment: ["OBM_CONNECT_TO": "192.0.2.11:443:127.0.0.1:40011, [2001:db8::1]:443:[::1]:40012 ::jump.example:"])
        #expect(endpoint.base == "https://192.0.2.11")
        #expect(endpoint.connectTo == ["192.0.2.11:443:127.0.0.1:40011", "[2001:db8::1]:443:[::1]:40012", "::jump.example:"])
        for bad in ["192.0.2.11:443:127.0.0.1", "192.0.2.11:443:127.0.0.1:70000", "a:b:c:d", "192.0.2.11:443:127.0.0.1:1:2"] {
            #expect(throws: RedfishError.self, "\(bad)") { try RedfishEndpoint.from(host: "h", environment: ["OBM_CONNECT_TO": bad]) }
        }
    }

    @Test func accountServiceFiguresAreBoundedNotTrusted() throws {
        let huge = try #require(
            LockoutPolicy.fromAccountService(
                try accountService(
                    parsing:
                        #"{"AccountLockoutThreshold": 1e30, "AccountLockoutCounterResetAfter": 1e999, "AccountLockoutDuration": 1e19}"#)))
        #expect(huge.threshold == 1_000_000)
        #expect(huge.resetAfter == .infinity && huge.duration == .infinity)
        #expect(huge.description == "threshold=1000000,reset-after=never,duration=never (the BMC's AccountService)")
        let negative = LockoutPolicy.fromAccountService(
            try accountService(parsing: #"{"AccountLockoutThreshold": -3, "AccountLockoutCounterResetAfter": 60}"#))
        #expect(negative == nil, "a negative threshold is no policy; the vendor's applies")
        #expect(
            throws: DecodingError.self,
            "a figure written as text is no figure: the AccountService cannot be read"
        ) { try accountService(parsing: #"{"AccountLockoutThreshold": "5", "AccountLockoutCounterResetAfter": 60}"#) }
        do {
            _ = try accountService(parsing: #"{"AccountLockoutThreshold": "5"}"#)
        } catch let error as DecodingError {
            #expect(error.fieldDescription == "AccountLockoutThreshold is not a number")
        }
        #expect(try accountService(parsing: #"{"AccountLockoutDuration": null}"#) == AccountLockoutFields())
    }

    func accountService(parsing text: String) throws -> AccountLockoutFields {
        try JSONValueDecoder().decode(AccountLockoutFields.self, from: try JSONValue(parsing: text))
    }

    @Test func aCounterThatNeverResetsNeverDecays() {
        let clock = FakeClock()
        let policy = LockoutPolicy(threshold: 3, resetAfter: 1, duration: 1, minimumSpacing: 0, resetEnabled: false, source: "test")
        var schedule = clock.schedule(policy)
        schedule.recordFailure()
        clock.advance(3600)
        #expect(schedule.refusalOfNextAttempt(longestWait: 1500) == nil, "one failure stands: one more is affordable")
        schedule.recordFailure()
        clock.advance(86400)
        #expect(schedule.refusalOfNextAttempt(longestWait: 1500)?.hasPrefix("the BMC's failed-login count never resets by time") == true)
    }

    @Test func aWaitBeyondTheStepsBoundIsRefusedNotSlept() {
        let clock = FakeClock()
        var schedule = clock.schedule(LockoutPolicy(threshold: 2, resetAfter: 4000, duration: 60, minimumSpacing: 0, source: "test"))
        schedule.recordFailure()
        #expect(
            schedule.refusalOfNextAttempt(longestWait: 1500)
                == "the BMC's policy (threshold=2,reset-after=4000s,duration=60s (test)) would need a wait of 4001 s before the next attempt, longer than the 1500 s this step may wait"
        )
        #expect(clock.now == 1000, "nothing slept")
    }
}

@Suite struct PolicyCombinationTests {
    @Test func theStricterOfEveryKnownPolicyRuleByRule() throws {
        let operatorPolicy = try LockoutPolicy.parse("threshold=5,reset-after=30s,duration=1m")
        let combined = try #require(LockoutPolicy.strictest([operatorPolicy, VendorProfile.iLO.lockoutPolicy]))
        // iLO's spacing survives a threshold policy beside it (it was lost when one replaced the other).
        #expect(combined.threshold == 5 && combined.resetAfter == 30 && combined.minimumSpacing == 10)
        #expect(combined.description == "threshold=5,reset-after=30s,duration=60s,spacing=10s (OBM_LOCKOUT_POLICY + iLO default)")
        let never = LockoutPolicy(threshold: 4, resetAfter: 10, duration: 10, minimumSpacing: 0, resetEnabled: false, source: "learned")
        let withIDRAC = try #require(LockoutPolicy.strictest([never, VendorProfile.iDRAC.lockoutPolicy]))
        #expect(withIDRAC.threshold == 3 && withIDRAC.resetAfter == 60 && !withIDRAC.resetEnabled)
        #expect(LockoutPolicy.strictest([]) == nil, "nothing known: the caller applies the cautious default")
        #expect(VendorProfile.unknown.knownLockoutPolicy == nil)
    }

    @Test func otherStepsAttemptsCountAndTheEarlierOfTwoGoesFirst() {
        let clock = FakeClock()
        var schedule = clock.schedule(LockoutPolicy(threshold: 3, resetAfter: 60, duration: 60, minimumSpacing: 0, source: "test"))
        func attempt(_ id: String, _ at: Double, _ outcome: LoginAttempt.Outcome) -> LoginAttempt {
            LoginAttempt(id: id, sent: at, outcome: outcome, credentials: .legacy, step: "other")
        }
        // Another pod: one refused, one pending (killed mid-attempt): two may have counted.
        schedule.absorb([attempt("a", 990, .refused), attempt("b", 995, .pending), attempt("c", 996, .withdrawn), attempt("d", 997, .busy)])
        #expect(abs(schedule.delayBeforeNextAttempt() - 56) < 1.01, "the third waits for the reset after the last")
        // Two records written at the same moment: only the later one must wait.
        clock.advance(120)
        let mine = attempt("m", clock.now, .pending)
        schedule.record(mine)
        schedule.absorb([attempt("x", clock.now - 0.01, .pending), attempt("y", clock.now - 0.005, .pending)])
        #expect(schedule.delay(before: mine) > 0, "two earlier pending attempts: ours would be the third")
        #expect(schedule.delay(before: attempt("x", clock.now - 0.01, .pending)) == 0)
    }

    @Test func onlyWhatNoWindowCanCountIsPruned() {
        let clock = FakeClock()
        var schedule = clock.schedule(LockoutPolicy(threshold: 3, resetAfter: 60, duration: 60, minimumSpacing: 0, source: "test"))
        schedule.absorb([
            LoginAttempt(id: "old", sent: clock.now - 7200, outcome: .refused, credentials: .record, step: "s"),
            LoginAttempt(id: "recent", sent: clock.now - 100, outcome: .refused, credentials: .record, step: "s"),
            LoginAttempt(id: "stale-pending", sent: clock.now - 4000, outcome: .pending, credentials: .record, step: "s"),
        ])
        #expect(schedule.expired(at: clock.now, keep: 3600).map(\.id) == ["old"])
    }
}
