import ArgumentParser
import BMCCoordination
import Firmware
import Nautobot
import Redfish
import StepRuntime

/// `firmware-plan`: a device's firmware inventory against its baseline in Nautobot, per
/// component, as `plan`, with a one-line verdict.
@main
struct FirmwarePlanStep: Step {
    static let configuration = CommandConfiguration(
        commandName: "firmware-plan",
        abstract:
            "Plans a device's firmware against its baseline in Nautobot (its device type's software image files); outputs `plan`: {hostname, verdict, components: [{name, kind, current, target, action, image}]}.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["hostname", "inventory", "host", "timeout", "workflow"]
    static let flags = ["allow-downgrade", "require-compliant", "record"]
    static let settings =
        NautobotSettings.environmentHelp + RedfishSettings.environmentHelp + [
            EnvironmentSetting(
                "KUBECONFIG, KUBERNETES_SERVICE_HOST",
                "with --host: where the BMC's login history (a ConfigMap) is kept; none: this process only")
        ]

    @Option(help: "The device's exact name in Nautobot, e.g. host1.domain.local.")
    var hostname: String

    @Option(help: "get-firmware-inventory's `inventory` output (JSON); without it, --host is read.")
    var inventory: String?

    @Option(help: "Without --inventory: the BMC to read the inventory from, as get-obm-ip outputs it (OBM_* credentials).")
    var host: String?

    @Option(help: "With --host: how long reading the BMC may take: seconds, or 90s, 5m (default 5m).")
    var timeout = "5m"

    @Flag(help: "Plan a component newer than its target as `downgrade` (default: `downgrade-refused`).")
    var allowDowngrade = false

    @Flag(help: "Exit 1 unless the verdict is compliant (the plan is output either way).")
    var requireCompliant = false

    @Flag(help: "Write what the inventory says to Nautobot: an inventory item per component, its software version, a note per change.")
    var record = false

    @Option(help: "With --record: the Argo workflow the notes name (the template passes {{workflow.name}}).")
    var workflow: String?

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let environment = ProcessEnvironment.current()
        try DeviceLookup.validate(hostname: hostname)
        let components = try readInventory()
        let client = try NautobotClient.fromEnvironment(environment)
        let images = try DeviceSoftwareImageFiles.of(hostname: hostname, client: client)
        let baseline = FirmwareBaseline(files: images.files)
        for warning in baseline.warnings { Log.warning(warning) }
        let plan = FirmwarePlanner.plan(hostname: hostname, inventory: components, baseline: baseline, allowDowngrade: allowDowngrade)
        // Beside the plan, the BMC component's action alone: what a fleet's `when` can compare.
        try runtime.outputs(environment: environment).write("bmc-action", plan.bmcAction)
        try runtime.emit("plan", plan.json.serialized, environment: environment)
        Log.info(plan.summary)
        if record {
            let written = try FirmwareRecord(client: client, device: images.device, workflow: workflow).record(components)
            Log.info("recorded in Nautobot: \(written.summary)")
        }
        if requireCompliant && plan.verdict != .compliant {
            throw StepError.failure("\(hostname) is not compliant: \(plan.verdict.rawValue) (--require-compliant)")
        }
    }

    func readInventory() throws -> [FirmwareComponent] {
        if let inventory {
            return try FirmwareInventory.components(
                fromJSON: try ArgumentFile.resolve(inventory, option: "--inventory"), option: "--inventory")
        }
        guard let host else {
            throw StepError.badInput("give --inventory (get-firmware-inventory's output) or --host (the BMC to read it from)")
        }
        let (environment, settings) = try RedfishSettings.beginBMCStep(host: host)
        let coordination = try BMCCoordination.resolve(endpoint: settings.endpoint, step: "firmware-plan", environment: environment)
        return try FirmwareInventoryRead(
            client: try RedfishClient(endpoint: settings.endpoint), settings: settings, history: coordination.history,
            timeout: try StepDuration.seconds(timeout, option: "--timeout"), step: "firmware-plan"
        ).run()
    }
}
