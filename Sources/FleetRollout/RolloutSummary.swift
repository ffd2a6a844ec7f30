import JSON

/// The end of a rollout: each selected host's outcome, the counts, and whether the budget held.
public struct RolloutSummary: Sendable {
    public var outcomes: [(host: String, outcome: HostOutcome)]
    public var budget: FailureBudget

    public init(hosts: [String], reader: RolloutReader, budget: FailureBudget) {
        self.budget = budget
        outcomes = hosts.map { ($0, reader.outcome(of: $0, budget: budget, total: hosts.count)) }
        // What a run that succeeded output (e.g. the plan's BMC action): shown beside it.
        var outputs: [String: [String: String]] = [:]
        for (host, outcome) in outcomes where outcome == .succeeded {
            if let run = reader.run(of: host), !run.outputs.isEmpty { outputs[host] = run.outputs }
        }
        runOutputs = outputs
    }

    /// The output parameters of each succeeded host's run, when it has any.
    public var runOutputs: [String: [String: String]]

    public func count(_ matches: (HostOutcome) -> Bool) -> Int { outcomes.filter { matches($0.outcome) }.count }

    public var succeeded: Int { count { $0 == .succeeded } }
    public var failed: Int { count(\.isFailure) }
    public var notStarted: Int {
        count {
            if case .notStarted = $0 { return true }
            return false
        }
    }

    public var isClean: Bool { succeeded == outcomes.count }

    /// The output `summary`: counts, the budget, and a row per host in selection order.
    public var json: JSONValue {
        [
            "hosts": .number(String(outcomes.count)), "succeeded": .number(String(succeeded)), "failed": .number(String(failed)),
            "notStarted": .number(String(notStarted)), "failureBudget": .string(budget.description),
            "budgetCrossed": .bool(budget.isCrossed(failed: failed, of: outcomes.count)),
            "results": .array(
                outcomes.map { entry in
                    let outputs = runOutputs[entry.host].map { found in
                        [JSONMember("outputs", .object(found.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) }))]
                    }
                    return .object([JSONMember("hostname", .string(entry.host))] + (entry.outcome.json.objectValue ?? []) + (outputs ?? []))
                }),
        ]
    }

    /// One line for the failure message: the counts and the first few failures.
    public var headline: String {
        var text = "\(succeeded) of \(outcomes.count) host(s) succeeded, \(failed) failed, \(notStarted) not started"
        if budget.isCrossed(failed: failed, of: outcomes.count) { text += " (failure budget \(budget) crossed)" }
        let failures = outcomes.filter { $0.outcome.isFailure }.prefix(3).map { "\($0.host): \($0.outcome.line)" }
        if !failures.isEmpty { text += "; " + failures.joined(separator: "; ") + (failed > 3 ? "; …" : "") }
        return text
    }

    /// A table, a host per line, for the log.
    public var table: String {
        let width = (outcomes.map(\.host.count).max() ?? 4) + 2
        return outcomes.map { $0.host + String(repeating: " ", count: width - $0.host.count) + $0.outcome.line }.joined(separator: "\n")
    }
}
