import ArgumentParser
import BMCCoordination
import Firmware
import Redfish
import StepRuntime

/// `get-firmware-inventory`: the BMC's firmware components (UpdateService/FirmwareInventory) as
/// `inventory`, read-only.
@main
struct GetFirmwareInventory: Step {
    static let configuration = CommandConfiguration(
        commandName: "get-firmware-inventory",
        abstract:
            "Reads the BMC's firmware inventory over Redfish (GETs only); outputs `inventory`: {\"components\": [{id, name, version, updateable, kind, path}]}.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["host", "timeout"]
    static let settings =
        RedfishSettings.environmentHelp + [
            EnvironmentSetting(
                "KUBECONFIG, KUBERNETES_SERVICE_HOST",
                "where the BMC's login history (a ConfigMap) is kept; none: this process only")
        ]

    @Option(help: "The BMC's address (an IP or a name), as get-obm-ip outputs it.")
    var host: String

    @Option(help: "How long the step may take, waits for the lockout policy included: seconds, or 90s, 5m (default 5m).")
    var timeout = "5m"

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let (environment, settings) = try RedfishSettings.beginBMCStep(host: host)
        let seconds = try StepDuration.seconds(timeout, option: "--timeout")
        let coordination = try BMCCoordination.resolve(
            endpoint: settings.endpoint, step: "get-firmware-inventory", environment: environment)
        let components = try FirmwareInventoryRead(
            client: try RedfishClient(endpoint: settings.endpoint), settings: settings, history: coordination.history, timeout: seconds
        ).run()
        let kinds = FirmwareKind.allCases.compactMap { kind in
            let count = components.filter { $0.kind == kind }.count
            return count == 0 ? nil : "\(count) \(kind.rawValue)"
        }
        Log.info("\(components.count) firmware component(s): \(kinds.joined(separator: ", "))")
        try runtime.emit("inventory", FirmwareInventory.json(components).serialized, environment: environment)
    }
}
