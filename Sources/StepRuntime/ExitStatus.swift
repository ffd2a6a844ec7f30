/// The exit statuses of the step contract, which the WorkflowTemplates' retryStrategy reads.
public enum ExitStatus: Int32, Sendable, CustomStringConvertible {
    /// Done.
    case success = 0
    /// Any other failure: not found, ambiguous, refused credentials, failed task. Never retried.
    case failure = 1
    /// Bad input: a missing or malformed parameter or setting. Never retried.
    case badInput = 64
    /// Transient: connection refused, timeout, 429, 5xx, busy. Argo retries it with backoff.
    case transient = 75

    public var description: String {
        switch self {
        case .success: "success"
        case .failure: "failure"
        case .badInput: "bad input"
        case .transient: "transient failure"
        }
    }
}

/// An error a step can end with: the exit status it maps to and one line a person can act on.
public protocol StepFailure: Error {
    var exitStatus: ExitStatus { get }
    /// One line, no secrets, saying what went wrong and where.
    var message: String { get }
}

/// A failure that needs no richer type: a status and its line.
public struct StepError: StepFailure, Equatable, CustomStringConvertible {
    public var exitStatus: ExitStatus
    public var message: String

    public init(_ exitStatus: ExitStatus, _ message: String) {
        self.exitStatus = exitStatus
        self.message = message
    }

    public static func badInput(_ message: String) -> StepError { StepError(.badInput, message) }
    public static func transient(_ message: String) -> StepError { StepError(.transient, message) }
    public static func failure(_ message: String) -> StepError { StepError(.failure, message) }

    public var description: String { message }
}
