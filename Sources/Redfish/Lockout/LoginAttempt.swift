/// One login attempt as the failed-login history keeps it: when it was sent, whose credentials
/// (by role, never their value) and how it ended. Times are seconds since the Unix epoch, so
/// that pods on different nodes can count each other's attempts.
public struct LoginAttempt: Sendable, Equatable {
    /// How the attempt ended, as far as this step knows.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Written before the attempt was sent, no outcome yet: its pod may have been killed
        /// after sending it, so it counts as a failure.
        case pending
        case accepted
        case refused
        /// Sent, but its answer was lost or the BMC said it was busy: it may have been counted.
        case unknown
        /// The BMC answered that it was busy (503, 429, no free session slot): it did not judge
        /// the credentials. Not counted.
        case busy
        /// Written, then not sent (another step's attempt came first): not counted.
        case withdrawn

        /// Whether the BMC may have counted it as a failed login.
        public var mayBeAFailure: Bool { self == .pending || self == .refused || self == .unknown }
    }

    /// Which credentials were tried: the ones on record, or a legacy password.
    public enum Credentials: String, Sendable, CaseIterable {
        case record, legacy
    }

    /// Unique across pods: the time and random digits.
    public var id: String
    public var sent: Double
    public var outcome: Outcome
    public var credentials: Credentials
    /// The program that made it (obm-sync-creds, obm-firmware-update), for an operator reading
    /// the history.
    public var step: String

    public init(id: String, sent: Double, outcome: Outcome, credentials: Credentials, step: String) {
        self.id = id
        self.sent = sent
        self.outcome = outcome
        self.credentials = credentials
        self.step = step
    }

    /// Whether this attempt was made before `other`: by time, then by id, the same order in
    /// every pod that reads both.
    public func precedes(_ other: LoginAttempt) -> Bool {
        sent != other.sent ? sent < other.sent : id < other.id
    }
}
