import ArgumentParser
import BMCCoordination
import JSON
import PasswordSync
import Redfish
import StepRuntime

/// `obm-sync-creds`: makes the BMC accept the credentials on record; `status` says what it took.
@main
struct OBMSyncCreds: Step {
    static let configuration = CommandConfiguration(
        commandName: "obm-sync-creds",
        abstract:
            "Makes the BMC accept the credentials on record, trying legacy passwords paced by its lockout policy; outputs `status` (in-sync, synced, would-sync).",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["host", "timeout"]
    static let flags = ["dry-run"]
    static let settings =
        RedfishSettings.environmentHelp + SyncCredentials.environmentHelp + [
            EnvironmentSetting(
                "KUBECONFIG, KUBERNETES_SERVICE_HOST",
                "where the BMC's login history (a ConfigMap) and change Lease are kept; none: this process only")
        ]

    @Option(help: "The BMC's address (an IP or a name), as get-obm-ip outputs it.")
    var host: String

    @Option(
        help:
            "How long the step may take, waits for the lockout policy and for another step's change included: seconds, or 90s, 25m, 1h (default 25m, below the template's activeDeadlineSeconds)."
    )
    var timeout = "25m"

    @Flag(help: "Find out and report what would change; change nothing.")
    var dryRun = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let (environment, settings) = try RedfishSettings.beginBMCStep(host: host)
        let credentials = try SyncCredentials.fromEnvironment(environment, record: settings)
        let policy = try LockoutPolicy.fromEnvironment(environment)
        let deadline = StepClock.monotonic() + (try StepDuration.seconds(timeout, option: "--timeout"))
        let endpoint = settings.endpoint
        let coordination = try BMCCoordination.resolve(endpoint: endpoint, step: "obm-sync-creds", environment: environment)
        let client = try RedfishClient(endpoint: endpoint)
        // No request, wait or retry outlives --timeout; clean-up requests have their own bound.
        client.deadline = deadline
        let report = try CredentialSync(
            client: client, credentials: credentials, dryRun: dryRun, policyOverride: policy, history: coordination.history,
            lock: coordination.lock, deadline: deadline
        ).run()
        Log.info(
            "\(report.status.rawValue): \(report.failedLogins) failed login(s), \(StepDuration.wholeText(report.waited)) waited for the lockout policy"
        )
        try runtime.emit("status", report.status.rawValue, environment: environment)
    }
}
