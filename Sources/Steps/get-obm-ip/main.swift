import ArgumentParser
import Nautobot
import StepRuntime

/// `get-obm-ip`: the device's BMC address from Nautobot, bare, as the output `ip`.
@main
struct GetOBMIP: Step {
    static let configuration = CommandConfiguration(
        commandName: "get-obm-ip",
        abstract: "Finds the device's BMC (iDRAC, iLO, ...) address in Nautobot; prints and outputs it, bare, as `ip`.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["hostname", "interface-names"]
    static let settings =
        NautobotSettings.environmentHelp + [
            EnvironmentSetting("OBM_INTERFACE_NAMES", "BMC interface names, comma separated (default iDRAC,iLO)")
        ]

    @Option(help: "The device's exact name in Nautobot, e.g. host1.domain.local.")
    var hostname: String

    @Option(help: "BMC interface names, comma separated (env OBM_INTERFACE_NAMES; default iDRAC,iLO).")
    var interfaceNames: String?

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let environment = ProcessEnvironment.current()
        let names = OBMAddressLookup.interfaceNames(from: interfaceNames ?? environment["OBM_INTERFACE_NAMES"])
        let client = try NautobotClient.fromEnvironment(environment)
        let ip = try OBMAddressLookup(client: client).address(of: hostname, interfaceNames: names)
        try runtime.emit("ip", ip)
    }
}
