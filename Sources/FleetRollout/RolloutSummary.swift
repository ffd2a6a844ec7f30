import JSON

/// The end of a rollout: each selected host's outcome, the counts, and whether the budget held.
public struct RolloutSummary: Sendable {
    public var outcomes: [(host: String, outcome: HostOutcome)]
    public var budget: FailureBudget

    public init(hosts: [String], reader: RolloutReader, budget: FailureBudget) {
        self.budget = budget
        outcomes = hosts.map { ($0, reader.outcome(of: $0, budget: budget, total: hosts.count)) }
    }

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
                outcomes.map { entry in .object([JSONMember("hostname", .string(entry.host))] + (entry.outcome.json.objectValue ?? [])) }),
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
