import JSON

/// What happened to one host of a rollout, read from the Workflow's nodes.
public enum HostOutcome: Sendable, Equatable {
    case succeeded
    /// The step that failed (as the per-host template names it), its exit code when a pod
    /// failed, and the step's own failure line.
    case failed(step: String, exitCode: Int?, message: String)
    case notStarted(reason: String)
    case unfinished

    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }

    public var json: JSONValue {
        switch self {
        case .succeeded: ["result": "succeeded"]
        case .failed(let step, let exitCode, let message):
            .object(
                [JSONMember("result", "failed"), JSONMember("step", .string(step))]
                    + (exitCode.map { [JSONMember("exitCode", .number(String($0)))] } ?? [])
                    + [JSONMember("message", .string(message))])
        case .notStarted(let reason): ["result": "not started", "reason": .string(reason)]
        case .unfinished: ["result": "unfinished"]
        }
    }

    /// One line for a table.
    public var line: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed(let step, let exitCode, let message): "failed at \(step)\(exitCode.map { " (exit \($0))" } ?? ""): \(message)"
        case .notStarted(let reason): "not started: \(reason)"
        case .unfinished: "unfinished"
        }
    }
}
