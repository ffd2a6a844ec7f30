import ArgumentParser
import FleetRollout
import JSON
import Kubernetes
import StepRuntime

/// `fleet-rollout`: the two decisions of a fleet rollout that need the whole Workflow's view,
/// read from the Workflow's own status (`status.nodes`): whether one more host may start under
/// the failure budget (`--action admit`), and what happened to every host (`--action summarize`).
@main
struct FleetRolloutStep: Step {
    enum Action: String, ExpressibleByArgument, CaseIterable {
        case admit
        case summarize
    }

    static let configuration = CommandConfiguration(
        commandName: "fleet-rollout",
        abstract: "Admits hosts under a failure budget, and summarizes a rollout, from the Argo Workflow's status.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["action", "workflow", "host-template", "failure-budget", "hostname", "total", "hostnames"]
    static let settings = [
        EnvironmentSetting("KUBECONFIG", "kubeconfig to use outside a pod (in a pod: its service account)"),
        EnvironmentSetting("POD_NAMESPACE", "the Workflow's namespace, when not the service account's"),
    ]

    @Option(help: "admit (output `decision`: run or skip) or summarize (output `summary`).")
    var action: Action

    @Option(help: "The Workflow's name ({{workflow.name}}).")
    var workflow: String

    @Option(help: "The per-host template, WORKFLOWTEMPLATE/TEMPLATE (e.g. obm-sync-creds/main).")
    var hostTemplate: String

    @Option(help: "Failed hosts allowed before no new host starts: a count (5) or a share (10%).")
    var failureBudget: String

    @Option(help: "admit: the host asking to start.")
    var hostname: String?

    @Option(help: "admit: how many hosts the rollout selected (for a % budget).")
    var total: Int?

    @Option(help: "summarize: the selected hosts, a JSON list of names, or @FILE holding it (as Argo passes an argument over 128 KiB).")
    var hostnames: String?

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let budget = try FailureBudget(failureBudget)
        guard hostTemplate.split(separator: "/").count == 2 else {
            throw StepError.badInput("--host-template \"\(hostTemplate)\" is not WORKFLOWTEMPLATE/TEMPLATE")
        }
        switch action {
        case .admit:
            guard let hostname, !hostname.isEmpty else { throw StepError.badInput("--action admit needs --hostname") }
            guard let total, total > 0 else { throw StepError.badInput("--action admit needs --total, the number of hosts selected") }
            let reader = RolloutReader(nodes: try nodes(), hostTemplate: hostTemplate)
            let failed = reader.failedHosts.subtracting([hostname]).count
            if budget.isCrossed(failed: failed, of: total) {
                Log.warning(
                    "not starting \(hostname): \(failed) host(s) failed, more than the failure budget (\(budget): \(budget.allowed(of: total)) of \(total))"
                )
                try runtime.emit("decision", "skip")
            } else {
                Log.info(
                    "starting \(hostname): \(failed) host(s) failed so far, budget \(budget) (\(budget.allowed(of: total)) of \(total))")
                try runtime.emit("decision", "run")
            }
        case .summarize:
            guard let given = hostnames else {
                throw StepError.badInput("--action summarize needs --hostnames, a JSON list of names")
            }
            let text = try ArgumentFile.resolve(given, option: "--hostnames")
            guard let list = (try? JSONValue(parsing: text))?.arrayValue else {
                throw StepError.badInput("--action summarize needs --hostnames, a JSON list of names")
            }
            let hosts = list.compactMap(\.stringValue)
            let summary = RolloutSummary(
                hosts: hosts, reader: RolloutReader(nodes: try nodes(), hostTemplate: hostTemplate), budget: budget)
            for line in summary.table.split(separator: "\n") { Log.info(String(line)) }
            try runtime.emit("summary", summary.json.serialized)
            guard summary.isClean else { throw StepError.failure(summary.headline) }
        }
    }

    func nodes() throws -> WorkflowNodes {
        let configuration = try KubernetesConfiguration.resolve(environment: ProcessEnvironment.current())
        let client = try KubernetesClient(configuration: configuration)
        guard let text = try client.workflowText(named: workflow) else {
            throw StepError.failure("Workflow \(workflow) does not exist in namespace \(configuration.namespace)")
        }
        return try WorkflowNodes(workflowText: text)
    }
}
