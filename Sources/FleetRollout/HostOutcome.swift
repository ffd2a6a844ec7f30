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

/// Finds each host's outcome among a rollout's nodes: the per-host template's node whose
/// `hostname` input is the host, and inside it the pod that failed.
public struct RolloutReader: Sendable {
    public let nodes: WorkflowNodes
    /// The per-host template, `workflowtemplate/template` (e.g. obm-sync-creds/main).
    public let hostTemplate: String
    /// The hosts whose per-host run failed, or whose admission failed, each once.
    public let failedHosts: Set<String>

    public init(nodes: WorkflowNodes, hostTemplate: String) {
        self.nodes = nodes
        self.hostTemplate = hostTemplate
        // Once: every not-started host's reason quotes it. A host failed when its per-host run
        // ended failed or, without a run, a step of its own (its admission) did: an attempt that
        // a retry made good is no failure.
        var byHost: [String: [WorkflowNode]] = [:]
        for node in Self.final(nodes) { if let host = node.inputs["hostname"] { byHost[host, default: []].append(node) } }
        failedHosts = Set(
            byHost.compactMap { host, mine in
                if let run = mine.last(where: { $0.template == hostTemplate }) { return run.isFailed ? host : nil }
                return mine.contains(where: \.isFailed) ? host : nil
            })
    }

    /// The nodes that stand for a step's outcome: not skipped, not one attempt of a retried step.
    static func final(_ nodes: WorkflowNodes) -> [WorkflowNode] {
        nodes.all.filter { $0.type != "Skipped" && $0.phase != "Skipped" && !nodes.isRetryAttempt($0) }
    }

    public func outcome(of host: String, budget: FailureBudget, total: Int) -> HostOutcome {
        let mine = Self.final(nodes).filter { $0.inputs["hostname"] == host }
        if let run = mine.last(where: { $0.template == hostTemplate }) {
            if run.phase == "Succeeded" { return .succeeded }
            if run.isFailed { return failure(below: run) }
            return .unfinished
        }
        // No per-host run: its admission (or the wrapper) failed, or the budget held it back.
        if let failed = mine.first(where: { $0.isFailed && $0.type == "Pod" }) ?? mine.first(where: \.isFailed) {
            return failure(below: failed)
        }
        if mine.contains(where: { !$0.isFinished }) { return .unfinished }
        let failedCount = failedHosts.count
        if budget.isCrossed(failed: failedCount, of: total) {
            return .notStarted(
                reason:
                    "\(failedCount) host(s) had failed, more than the failure budget (\(budget), \(budget.allowed(of: total)) of \(total))")
        }
        return .notStarted(reason: "no per-host run was recorded for it")
    }

    /// The failing pod inside a failed node, named as its step; Argo's "Error (exit code N): "
    /// prefix is taken off the step's own line.
    func failure(below node: WorkflowNode) -> HostOutcome {
        let candidates = ([node] + nodes.descendants(of: node)).filter { $0.isFailed && $0.type == "Pod" }
        guard let pod = candidates.max(by: { $0.finishedAt < $1.finishedAt }) else {
            return .failed(step: node.displayName, exitCode: nil, message: node.message)
        }
        var step = pod.displayName
        if let parent = nodes.parent(of: pod), parent.type == "Retry" { step = parent.displayName }
        let (code, message) = Self.split(pod.message)
        return .failed(step: step, exitCode: pod.exitCode ?? code, message: message)
    }

    /// "Error (exit code 1): no BMC address" → (1, "no BMC address").
    static func split(_ message: String) -> (Int?, String) {
        guard let open = message.firstRange(of: " (exit code "), let close = message[open.upperBound...].firstIndex(of: ")"),
            let code = Int(message[open.upperBound..<close])
        else { return (nil, message) }
        var rest = message[message.index(after: close)...]
        if rest.hasPrefix(":") { rest = rest.dropFirst() }
        let text = rest.trimmedLeadingSpaces
        return (code, text.isEmpty ? message : text)
    }
}

extension Substring {
    fileprivate var trimmedLeadingSpaces: String { String(drop { $0 == " " }) }
}
