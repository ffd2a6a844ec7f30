/// The AccountService's failed-login policy as DMTF's AccountService schema defines it: every
/// field optional (and the figures nullable), numbers as written, so an absurd figure reaches
/// LockoutPolicy to be bounded rather than refused with the document.
public struct AccountLockoutFields: Sendable, Equatable, Decodable {
    public var threshold: Double?
    public var duration: Double?
    public var counterResetAfter: Double?
    public var counterResetEnabled: Bool?

    private enum CodingKeys: String, CodingKey {
        case threshold = "AccountLockoutThreshold"
        case duration = "AccountLockoutDuration"
        case counterResetAfter = "AccountLockoutCounterResetAfter"
        case counterResetEnabled = "AccountLockoutCounterResetEnabled"
    }

    public init(threshold: Double? = nil, duration: Double? = nil, counterResetAfter: Double? = nil, counterResetEnabled: Bool? = nil) {
        self.threshold = threshold
        self.duration = duration
        self.counterResetAfter = counterResetAfter
        self.counterResetEnabled = counterResetEnabled
    }
}
