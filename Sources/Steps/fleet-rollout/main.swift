import ArgumentParser
import FirmwareCompliance
import FleetRollout
import StepRuntime

/// `fleet-rollout`: the two decisions of a fleet rollout that need the whole Workflow's view,
/// read from the Workflow's own status (`status.nodes`): whether one more host may start under
/// the failure budget (`--action admit`), what happened to every host (`--action summarize`),
/// and, for a firmware compliance fleet, each host's verdict by device type
/// (`--action summarize-compliance`).
@main
struct FleetRolloutStep: Step {
    enum Action: String, ExpressibleByArgument, CaseIterable {
        case admit
        case summarize
        case summarizeCompliance = "summarize-compliance"
    }

    static let configuration = CommandConfiguration(
        commandName: "fleet-rollout",
        abstract: "Admits hosts under a failure budget, and summarizes a rollout, from the Argo Workflow's status.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["action", "workflow", "host-template", "failure-budget", "hostname", "total", "hostnames", "device-types"]
    static let flags = ["require-compliant"]
    static let settings = [
        EnvironmentSetting("KUBECONFIG", "kubeconfig to use outside a pod (in a pod: its service account)"),
        EnvironmentSetting("POD_NAMESPACE", "the Workflow's namespace, when not the service account's"),
    ]

    @Option(help: "admit (output `decision`: run or skip), summarize or summarize-compliance (output `summary`).")
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

    @Option(help: "summarize-compliance: each host's device type, a JSON object (get-devices-nautobot's `device-types`), or @FILE.")
    var deviceTypes: String?

    @Flag(help: "summarize-compliance: fail unless every host is compliant (else only hosts without a verdict fail it).")
    var requireCompliant = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let budget = try FailureBudget(failureBudget)
        let rollout = try RolloutWorkflow(name: workflow, hostTemplate: hostTemplate)
        let environment = ProcessEnvironment.current()
        switch action {
        case .admit:
            let admission = try Admission(hostname: hostname, total: total)
            try runtime.emit("decision", admission.decide(reader: try rollout.reader(environment: environment), budget: budget))
        case .summarize:
            let hosts = try RolloutWorkflow.hostnames(argument: hostnames)
            let summary = RolloutSummary(hosts: hosts, reader: try rollout.reader(environment: environment), budget: budget)
            for line in summary.table.split(separator: "\n") { Log.info(String(line)) }
            try runtime.emit("summary", summary.json.serialized)
            guard summary.isClean else { throw StepError.failure(summary.headline) }
        case .summarizeCompliance:
            let hosts = try RolloutWorkflow.hostnames(argument: hostnames)
            let summary = ComplianceSummary(
                hosts: hosts, deviceTypes: try RolloutWorkflow.deviceTypes(argument: deviceTypes),
                reader: try rollout.reader(environment: environment), budget: budget)
            for line in summary.table { Log.info(line) }
            try runtime.emit("summary", summary.json.serialized)
            guard summary.isClean(requireCompliant: requireCompliant) else { throw StepError.failure(summary.headline) }
        }
    }
}
