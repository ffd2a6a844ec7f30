import JSON
import StepRuntime

/// A BMC's failed-login policy, in Redfish's terms: `threshold` failed logins lock (the account,
/// or on iDRAC the source address) for `duration` seconds; the count goes back to zero
/// `resetAfter` seconds after the last failure. `minimumSpacing` is for BMCs that slow down
/// rather than lock (iLO). nil threshold: no count is kept.
public struct LockoutPolicy: Sendable, Equatable, CustomStringConvertible {
    public var threshold: Int?
    public var resetAfter: Double
    public var duration: Double
    public var minimumSpacing: Double
    /// Whether the count goes back to zero after `resetAfter`. Redfish's
    /// `AccountLockoutCounterResetEnabled: false` means only a successful login resets it.
    public var resetEnabled: Bool
    /// Where it came from: OBM_LOCKOUT_POLICY, the AccountService, a vendor default.
    public var source: String

    public init(
        threshold: Int?, resetAfter: Double, duration: Double, minimumSpacing: Double, resetEnabled: Bool = true, source: String
    ) {
        self.threshold = threshold
        self.resetAfter = resetAfter
        self.duration = duration
        self.minimumSpacing = minimumSpacing
        self.resetEnabled = resetEnabled
        self.source = source
    }

    /// One failed login per 60 s: only when nothing at all is known of the BMC's policy.
    public static let cautiousDefault = LockoutPolicy(
        threshold: nil, resetAfter: 0, duration: 0, minimumSpacing: 60, source: "cautious default")

    /// The stricter of every policy known for a BMC, rule by rule: the lowest threshold, the
    /// longest reset, duration and spacing, and a counter that resets by time only if all say
    /// so. nil when none is known (then `cautiousDefault` applies).
    public static func strictest(_ policies: [LockoutPolicy]) -> LockoutPolicy? {
        guard var combined = policies.first else { return nil }
        for policy in policies.dropFirst() {
            switch (combined.threshold, policy.threshold) {
            case (nil, _): combined.threshold = policy.threshold
            case (let mine?, let theirs?): combined.threshold = min(mine, theirs)
            case (_, nil): break
            }
            combined.resetAfter = max(combined.resetAfter, policy.resetAfter)
            combined.duration = max(combined.duration, policy.duration)
            combined.minimumSpacing = max(combined.minimumSpacing, policy.minimumSpacing)
            combined.resetEnabled = combined.resetEnabled && policy.resetEnabled
        }
        combined.source = policies.map(\.source).joined(separator: " + ")
        return combined
    }

    /// The longest period a BMC's figure is taken as: a longer one (or one JSON cannot hold as a
    /// finite number, `1e999`) is read as "never", which no wait can serve.
    public static let longestPeriod: Double = 7 * 86400

    public var description: String {
        var parts: [String] = []
        if let threshold {
            let reset = resetEnabled ? Self.seconds(resetAfter) : "never"
            parts.append("threshold=\(threshold),reset-after=\(reset),duration=\(Self.seconds(duration))")
        }
        if minimumSpacing > 0 { parts.append("spacing=\(Self.seconds(minimumSpacing))") }
        return "\(parts.joined(separator: ",")) (\(source))"
    }

    static func seconds(_ value: Double) -> String {
        guard value.isFinite, value <= longestPeriod else { return "never" }
        return value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }

    /// OBM_LOCKOUT_POLICY, when set: a policy to honour besides the BMC's own and its maker's.
    public static func fromEnvironment(_ environment: [String: String]) throws(RedfishError) -> LockoutPolicy? {
        try environment.setting("OBM_LOCKOUT_POLICY").map { text throws(RedfishError) in try parse(text) }
    }

    /// `threshold=3,reset-after=60s,duration=60s` (and optionally `spacing=10s`), the
    /// `OBM_LOCKOUT_POLICY` format. Durations take `ms`, `s`, `m` or no unit (seconds).
    public static func parse(_ text: String) throws(RedfishError) -> LockoutPolicy {
        var policy = LockoutPolicy(threshold: nil, resetAfter: 0, duration: 0, minimumSpacing: 0, source: "OBM_LOCKOUT_POLICY")
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { String($0).trimming(" ") }
            guard pair.count == 2 else { throw .setting("OBM_LOCKOUT_POLICY \"\(text)\": \"\(item)\" is not name=value") }
            switch pair[0] {
            case "threshold":
                guard let value = Int(pair[1]), value >= 1, value <= 1000 else {
                    throw .setting("OBM_LOCKOUT_POLICY: threshold \"\(pair[1])\" is not a whole number from 1")
                }
                policy.threshold = value
            case "reset-after": policy.resetAfter = try duration(pair[1], text)
            case "duration": policy.duration = try duration(pair[1], text)
            case "spacing": policy.minimumSpacing = try duration(pair[1], text)
            default: throw .setting("OBM_LOCKOUT_POLICY: unknown setting \"\(pair[0])\" (threshold, reset-after, duration, spacing)")
            }
        }
        guard policy.threshold != nil || policy.minimumSpacing > 0 else {
            throw .setting("OBM_LOCKOUT_POLICY \"\(text)\" gives neither a threshold nor a spacing")
        }
        if policy.threshold != nil && policy.resetAfter <= 0 {
            throw .setting("OBM_LOCKOUT_POLICY \"\(text)\": a threshold needs reset-after")
        }
        return policy
    }

    static func duration(_ text: String, _ whole: String) throws(RedfishError) -> Double {
        guard let value = StepDuration.parse(text), value >= 0, value <= 86400 else {
            throw .setting("OBM_LOCKOUT_POLICY \"\(whole)\": \"\(text)\" is not a duration")
        }
        return value
    }

    /// The policy an AccountService reports, nil when it reports none (absent, or zeros as iDRAC).
    /// Values are taken for what they can mean, never trusted to be small: a threshold beyond
    /// `Int` is as good as none, a period beyond `longestPeriod` (or not finite) is "never"
    /// (`Double.infinity`), and `AccountLockoutCounterResetEnabled: false` is honoured.
    public static func fromAccountService(_ fields: AccountLockoutFields) -> LockoutPolicy? {
        guard let thresholdValue = fields.threshold, thresholdValue >= 1,
            let resetValue = fields.counterResetAfter, resetValue > 0
        else { return nil }
        func period(_ value: Double) -> Double { value.isFinite && value <= longestPeriod ? value : .infinity }
        let threshold = thresholdValue < 1_000_000 ? Int(thresholdValue) : 1_000_000
        let resetAfter = period(resetValue)
        let duration = fields.duration.map { period(max(0, $0)) } ?? resetAfter
        return LockoutPolicy(
            threshold: threshold, resetAfter: resetAfter, duration: duration, minimumSpacing: 0,
            resetEnabled: fields.counterResetEnabled ?? true, source: "the BMC's AccountService")
    }
}
