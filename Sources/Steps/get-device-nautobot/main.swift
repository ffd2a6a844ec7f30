import ArgumentParser
import JSON
import Nautobot
import StepRuntime

/// `get-device-nautobot`: the one Nautobot device with a given name, as the output `device`.
@main
struct GetDeviceNautobot: Step {
    static let configuration = CommandConfiguration(
        commandName: "get-device-nautobot",
        abstract: "Finds the one Nautobot device with this exact name; prints and outputs it as `device`.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["hostname"]
    static let settings = NautobotSettings.environmentHelp

    @Option(help: "The device's exact name in Nautobot, e.g. host1.domain.local.")
    var hostname: String

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let client = try NautobotClient.fromEnvironment(ProcessEnvironment.current())
        let device = try DeviceLookup(client: client).device(named: hostname)
        try runtime.emit("device", device.serialized)
    }
}
