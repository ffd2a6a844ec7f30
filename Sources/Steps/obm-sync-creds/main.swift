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
    static let settings = [
        EnvironmentSetting("OBM_USERNAME, OBM_PASSWORD", "the credentials on record (the Secret named by get-obm-creds)"),
        EnvironmentSetting(
            "OBM_LEGACY_PASSWORDS", "JSON list of old or factory passwords to try (Secret obm-legacy-passwords, key passwords)"),
        EnvironmentSetting("OBM_LEGACY_USER", "the account those passwords belong to (default root)"),
        EnvironmentSetting("OBM_CA_FILE", "PEM bundle to verify the BMC's certificate"),
        EnvironmentSetting("OBM_TLS_VERIFY", "false to skip BMC certificate checks (self-signed BMCs); default true"),
        EnvironmentSetting(
            "OBM_LOCKOUT_POLICY",
            "a failed-login policy to honour besides the BMC's own and its maker's (the stricter of all, rule by rule): threshold=3,reset-after=60s,duration=60s"
        ),
        EnvironmentSetting(
            "KUBECONFIG, KUBERNETES_SERVICE_HOST",
            "where the BMC's login history (a ConfigMap) and change Lease are kept; none: this process only"),
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
        // First, before any other thread: a SIGTERM must still delete the sessions held.
        TerminationSignal.install { SessionRegistry.shared.deleteAll() }
        let environment = ProcessEnvironment.current()
        let credentials = try Self.credentials(environment)
        let policy = try environment.setting("OBM_LOCKOUT_POLICY").map { text throws(RedfishError) in
            try LockoutPolicy.parse(text)
        }
        let deadline = StepClock.monotonic() + (try StepDuration.seconds(timeout, option: "--timeout"))
        let endpoint = try RedfishEndpoint.from(host: host, environment: environment)
        let coordination = try BMCCoordination.resolve(endpoint: endpoint, step: "obm-sync-creds", environment: environment)
        let client = try RedfishClient(endpoint: endpoint)
        // No request, wait or retry outlives --timeout; clean-up requests have their own bound.
        client.deadline = deadline
        let report = try CredentialSync(
            client: client, credentials: credentials, dryRun: dryRun, policyOverride: policy, history: coordination.history,
            lock: coordination.lock, deadline: deadline
        ).run()
        Log.info(
            "\(report.status.rawValue): \(report.failedLogins) failed login(s), \(Int(report.waited.rounded())) s waited for the lockout policy"
        )
        try runtime.emit("status", report.status.rawValue, environment: environment)
    }

    static func credentials(_ environment: [String: String]) throws -> SyncCredentials {
        guard let user = environment.setting("OBM_USERNAME") else {
            throw StepError.badInput("OBM_USERNAME is not set (the Secret named by get-obm-creds, key username)")
        }
        guard let password = environment.setting("OBM_PASSWORD") else {
            throw StepError.badInput("OBM_PASSWORD is not set (the Secret named by get-obm-creds, key password)")
        }
        try SecretRedaction.registerCredential(password, setting: "OBM_PASSWORD")
        var legacy: [String] = []
        if let text = environment["OBM_LEGACY_PASSWORDS"], !text.trimmingPrefix(" ").isEmpty {
            guard let list = try? JSONValue(parsing: text), let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw StepError.badInput("OBM_LEGACY_PASSWORDS is not a JSON list of strings")
            }
            legacy = items.compactMap(\.stringValue).filter { !$0.isEmpty }
            guard legacy.count <= 20 else { throw StepError.badInput("OBM_LEGACY_PASSWORDS lists more than 20 passwords") }
            for (index, password) in legacy.enumerated() {
                try SecretRedaction.registerCredential(password, setting: "OBM_LEGACY_PASSWORDS item \(index + 1)")
            }
        }
        let legacyUser = environment.setting("OBM_LEGACY_USER") ?? "root"
        try AccountName.validate(user, setting: "OBM_USERNAME")
        try AccountName.validate(legacyUser, setting: "OBM_LEGACY_USER")
        return SyncCredentials(user: user, password: password, legacyUser: legacyUser, legacyPasswords: legacy)
    }
}
