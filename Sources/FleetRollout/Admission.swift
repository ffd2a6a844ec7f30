import StepRuntime

/// fleet-rollout's admit decision for one host: run, or skip once the hosts that failed so far
/// (itself not counted: a retried admission must not count its own earlier run) spend the budget.
public struct Admission: Sendable {
    public let hostname: String
    /// How many hosts the rollout selected, for a share budget.
    public let total: Int

    public init(hostname: String?, total: Int?) throws(StepError) {
        guard let hostname, !hostname.isEmpty else { throw .badInput("--action admit needs --hostname") }
        guard let total, total > 0 else { throw .badInput("--action admit needs --total, the number of hosts selected") }
        self.hostname = hostname
        self.total = total
    }

    /// `run` or `skip`, said in a log line with the count and the budget.
    public func decide(reader: RolloutReader, budget: FailureBudget) -> String {
        let failed = reader.failedHosts.subtracting([hostname]).count
        let allowance = "\(budget): \(budget.allowed(of: total)) of \(total)"
        if budget.isCrossed(failed: failed, of: total) {
            Log.warning("not starting \(hostname): \(failed) host(s) failed, more than the failure budget (\(allowance))")
            return "skip"
        }
        Log.info("starting \(hostname): \(failed) host(s) failed so far, budget \(budget) (\(budget.allowed(of: total)) of \(total))")
        return "run"
    }
}
