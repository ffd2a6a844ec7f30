import StepRuntime
import Synchronization

/// What a login history holds for one BMC: every attempt still worth counting, and the BMC's
/// own lockout policy as read at an earlier successful login.
public struct LoginHistoryContents: Sendable, Equatable {
    public var attempts: [LoginAttempt]
    public var learnedPolicy: LockoutPolicy?

    public init(attempts: [LoginAttempt] = [], learnedPolicy: LockoutPolicy? = nil) {
        self.attempts = attempts
        self.learnedPolicy = learnedPolicy
    }
}

/// Where the failed-login history of one BMC is kept, shared by every step that logs in to it:
/// a BMC counts the failures of all its callers together. Redfish knows only this protocol; the
/// Kubernetes-backed store lives outside it. Times and outcomes only, never a password.
public protocol LoginHistory: AnyObject {
    /// Where it is, for messages: "ConfigMap obm-logins-… in namespace argo-events".
    var location: String { get }
    func read() throws -> LoginHistoryContents
    /// Adds the attempt, or replaces the one with its id (its outcome now known); returns what
    /// the history holds right after the write, everyone's records included.
    @discardableResult
    func write(_ attempt: LoginAttempt) throws -> LoginHistoryContents
    func remember(_ policy: LockoutPolicy) throws
    /// Drops attempts no policy window can count any more.
    func forget(_ ids: [String]) throws
}

/// The history kept in this process only: a step run by hand with no Kubernetes configuration.
/// It paces this run's own attempts; other runs on the same BMC cannot see them.
public final class InProcessLoginHistory: LoginHistory, Sendable {
    private let contents = Mutex(LoginHistoryContents())

    public init() {}

    public var location: String { "this process only" }

    public func read() -> LoginHistoryContents { contents.withLock { $0 } }

    @discardableResult
    public func write(_ attempt: LoginAttempt) -> LoginHistoryContents {
        contents.withLock { contents in
            if let index = contents.attempts.firstIndex(where: { $0.id == attempt.id }) {
                contents.attempts[index] = attempt
            } else {
                contents.attempts.append(attempt)
            }
            return contents
        }
    }

    public func remember(_ policy: LockoutPolicy) { contents.withLock { $0.learnedPolicy = policy } }

    public func forget(_ ids: [String]) { contents.withLock { $0.attempts.removeAll { ids.contains($0.id) } } }
}
