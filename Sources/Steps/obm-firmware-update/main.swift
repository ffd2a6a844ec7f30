import ArgumentParser
import BMCCoordination
import Firmware
import Redfish
import StepRuntime

/// `obm-firmware-update`: installs BMC firmware from a URL over Redfish and follows it to its
/// true outcome; `status` is the final task state.
@main
struct OBMFirmwareUpdate: Step {
    static let configuration = CommandConfiguration(
        commandName: "obm-firmware-update",
        abstract:
            "Installs BMC firmware from an http(s) URL over Redfish, streamed, and waits for the real outcome; outputs `status` (the final task state).",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["host", "firmware-url", "plan", "method", "timeout", "poll-interval"]
    static let flags = ["dry-run", "allow-unverified"]
    static let settings =
        RedfishSettings.environmentHelp + [
            EnvironmentSetting("FIRMWARE_CA_FILE", "PEM bundle to verify the image server's certificate (default: the system's)"),
            EnvironmentSetting(
                "KUBECONFIG, KUBERNETES_SERVICE_HOST",
                "where the BMC's login history (a ConfigMap) and change Lease are kept; none: this process only"),
        ]

    @Option(help: "The BMC's address (an IP or a name), as get-obm-ip outputs it.")
    var host: String

    @Option(help: "The image's http or https URL (an update without a plan).")
    var firmwareURL: String?

    @Option(help: "firmware-plan's output: the BMC component's image, verified against its checksum while it streams.")
    var plan: String?

    @Option(help: "simple, multipart or push; default: the best the BMC offers.")
    var method: String?

    @Option(help: "How long to wait for the outcome: seconds, or 90s, 30m, 1h (default 30m).")
    var timeout = "30m"

    @Option(help: "Seconds between task polls when the BMC gives no Retry-After (default 10).")
    var pollInterval: Double = 10

    @Option(help: "PEM bundle for the image server's certificate (env FIRMWARE_CA_FILE).")
    var firmwareCAFile: String?

    @Flag(help: "Report the method and the image's size; change nothing.")
    var dryRun = false

    @Flag(help: "With --plan: install an image whose checksum on record is not sha256 or sha512, or is missing.")
    var allowUnverified = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let (environment, settings) = try RedfishSettings.beginBMCStep(host: host)
        var planned: PlannedBMCImage?
        switch try FirmwareUpdateRequest.source(firmwareURL: firmwareURL, plan: plan, allowUnverified: allowUnverified) {
        case .upToDate(let version):
            Log.info("the plan's BMC component already runs its target (\(version)): nothing to do")
            return try runtime.emit("status", "UpToDate", environment: environment)
        case .install(let image): planned = image
        case nil: planned = nil
        }
        let request = try FirmwareUpdateRequest.fromOptions(
            settings: settings, firmwareURL: firmwareURL, planned: planned, method: method, timeout: timeout,
            pollInterval: pollInterval, caFile: firmwareCAFile ?? environment.setting("FIRMWARE_CA_FILE"), dryRun: dryRun)
        let endpoint = settings.endpoint
        let coordination = try BMCCoordination.resolve(endpoint: endpoint, step: "obm-firmware-update", environment: environment)
        let client = try RedfishClient(endpoint: endpoint)
        let outcome = try FirmwareUpdate(client: client, plan: request, history: coordination.history, lock: coordination.lock).run()
        // The status is written whenever it is known, also when the update failed.
        try runtime.emit("status", outcome.status, environment: environment)
        try outcome.conclude()
    }
}
