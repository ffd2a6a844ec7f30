import StepRuntime

/// Finds each host's outcome among a rollout's nodes: the per-host run (the node of the per-host
/// template whose `hostname` input is the host) and, when it failed, the step inside it that did.
public struct RolloutReader: Sendable {
    public let nodes: WorkflowNodes
    /// The per-host template, `workflowtemplate/template` (e.g. obm-sync-creds/main).
    public let hostTemplate: String
    /// The hosts whose per-host run failed, or whose admission failed, each once.
    public let failedHosts: Set<String>
    /// Where each host's nodes that stand for a step's outcome are in `nodes.all`, in the
    /// controller's order: one pass over the nodes, so a summary of thousands of hosts stays
    /// linear.
    private let outcomeNodes: [String: [Int]]

    public init(nodes: WorkflowNodes, hostTemplate: String) {
        self.nodes = nodes
        self.hostTemplate = hostTemplate
        var byHost: [String: [Int]] = [:]
        for (position, node) in nodes.all.enumerated() where !node.neverRan && !nodes.isRetryAttempt(node) {
            if let host = node.inputs["hostname"] { byHost[host, default: []].append(position) }
        }
        outcomeNodes = byHost
        // A host failed when its per-host run ended failed or, without a run, a step of its own
        // (its admission) did: an attempt that a retry made good is no failure.
        failedHosts = Set(
            byHost.compactMap { host, positions in
                let mine = positions.map { nodes.all[$0] }
                if let run = mine.last(where: { $0.template == hostTemplate }) { return run.isFailed ? host : nil }
                return mine.contains(where: \.isFailed) ? host : nil
            })
    }

    /// The host's per-host run: the last node of the per-host template for it, if it ran.
    public func run(of host: String) -> WorkflowNode? {
        (outcomeNodes[host] ?? []).lazy.reversed().map { nodes.all[$0] }.first { $0.template == hostTemplate }
    }

    public func outcome(of host: String, budget: FailureBudget, total: Int) -> HostOutcome {
        let mine = (outcomeNodes[host] ?? []).map { nodes.all[$0] }
        if let run = run(of: host) {
            if run.phase == "Succeeded" { return .succeeded }
            if run.isFailed { return failure(of: run) }
            return .unfinished
        }
        // No per-host run: its admission (or the wrapper) failed, or the budget held it back.
        let failed = mine.filter(\.isFailed)
        if let step = Self.latest(failed.filter(\.isStep)) ?? failed.first { return failure(of: step) }
        if mine.contains(where: { !$0.isFinished }) { return .unfinished }
        let failedCount = failedHosts.count
        if budget.isCrossed(failed: failedCount, of: total) {
            return .notStarted(
                reason:
                    "\(failedCount) host(s) had failed, more than the failure budget (\(budget), \(budget.allowed(of: total)) of \(total))")
        }
        return .notStarted(reason: "no per-host run was recorded for it")
    }

    /// What failed in a failed node, named as the step the template wrote: a pod is itself; a
    /// retried step is its last attempt; a Steps or DAG invocation is the failed step it owns
    /// (through `boundaryID`, at any depth) that finished last. Argo's "main: Error (exit code
    /// N): " prefix is taken off the step's own line.
    public func failure(of node: WorkflowNode) -> HostOutcome {
        switch node.type {
        case "Pod":
            return Self.podFailure(node, step: node.stepName)
        case "Retry":
            guard let last = nodes.lastAttempt(of: node) else {
                return .failed(step: node.stepName, exitCode: node.exitCode, message: node.message ?? "")
            }
            if last.type == "Pod" { return Self.podFailure(last, step: node.stepName) }
            return failure(of: last)
        default:
            let owned = nodes.owned(by: node).filter { $0.isFailed && $0.isStep && !nodes.isRetryAttempt($0) }
            guard let last = Self.latest(owned) else {
                return .failed(step: node.stepName, exitCode: node.exitCode, message: node.message ?? "")
            }
            return failure(of: last)
        }
    }

    static func latest(_ nodes: [WorkflowNode]) -> WorkflowNode? {
        nodes.max { $0.finishedSeconds < $1.finishedSeconds }
    }

    static func podFailure(_ pod: WorkflowNode, step: String) -> HostOutcome {
        let (code, message) = split(pod.message ?? "")
        return .failed(step: step, exitCode: pod.exitCode ?? code, message: message)
    }

    /// "main: Error (exit code 1): no BMC address" (Argo v3.7+) or "Error (exit code 1): …"
    /// (v3.0 to v3.6) → (1, "no BMC address"); a message with no line of the step's own stays whole.
    static func split(_ message: String) -> (Int?, String) {
        // Argo v2: "failed with exit code 1", nothing more.
        if message.hasPrefix("failed with exit code "), let code = Int(message.dropFirst("failed with exit code ".count)) {
            return (code, message)
        }
        guard let open = message.firstRange(of: " (exit code "), let close = message[open.upperBound...].firstIndex(of: ")"),
            let code = Int(message[open.upperBound..<close])
        else { return (nil, message) }
        var rest = message[message.index(after: close)...]
        if rest.hasPrefix(":") { rest = rest.dropFirst() }
        let text = rest.drop { $0 == " " }
        return (code, text.isEmpty ? message : String(text))
    }
}

extension WorkflowNode {
    /// A step that ran a container: a pod, or a retried step standing for its pods.
    fileprivate var isStep: Bool { type == "Pod" || type == "Retry" }
}
