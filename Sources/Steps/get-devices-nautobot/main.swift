import ArgumentParser
import JSON
import Nautobot
import StepRuntime

/// `get-devices-nautobot`: the names of the devices Nautobot's filters select, as a JSON list in
/// `hostnames`, for a fleet rollout to fan out over; their device types in `device-types`.
@main
struct GetDevicesNautobot: Step {
    static let configuration = CommandConfiguration(
        commandName: "get-devices-nautobot",
        abstract:
            "Selects devices by Nautobot filters; prints and outputs their names as a JSON list, `hostnames`, `count`, and each one's device type (`device-types`).",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["location", "role", "tag", "platform", "manufacturer", "status"]
    static let flags = ["allow-empty"]
    static let settings = NautobotSettings.environmentHelp

    @Option(help: "Location names, comma separated (any of them).")
    var location: String?

    @Option(help: "Role names, comma separated.")
    var role: String?

    @Option(help: "Tag names, comma separated.")
    var tag: String?

    @Option(help: "Platform names, comma separated.")
    var platform: String?

    @Option(help: "Manufacturer names, comma separated.")
    var manufacturer: String?

    @Option(help: "Status names, comma separated (e.g. Active).")
    var status: String?

    @Flag(help: "An empty selection is a success (an empty list) instead of a failure.")
    var allowEmpty = false

    @Option(help: "Devices per page asked of Nautobot (1 to 1000).")
    var pageSize = 1000

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let selection = try DeviceSelection(
            values: ["location": location, "role": role, "tag": tag, "platform": platform, "manufacturer": manufacturer, "status": status],
            pageSize: pageSize)
        let client = try NautobotClient.fromEnvironment(ProcessEnvironment.current())
        let devices = try selection.devices(using: client)
        guard !devices.isEmpty || allowEmpty else {
            throw StepError.failure("no device in Nautobot (\(client.settings.url)) matches \(selection.description)")
        }
        Log.info("\(devices.count) device(s) match \(selection.description)")
        // Beside the list: `count`, as a fleet's failure budget in percent needs the total, and
        // `device-types`, as a compliance summary groups the hosts by theirs.
        let typeNames = try DeviceTypeNames.of(Set(devices.map(\.deviceType.id)), client: client)
        // A type Nautobot did not list (a token without view on device types) keeps its id, said once.
        let unnamed = Set(devices.map(\.deviceType.id)).subtracting(typeNames.keys)
        if !unnamed.isEmpty {
            Log.warning(
                "\(unnamed.count) device type(s) were not listed by Nautobot (view permission on dcim.devicetype?): their ids stand for them in device-types"
            )
        }
        let outputs = try runtime.outputs(environment: ProcessEnvironment.current())
        try outputs.write("count", String(devices.count))
        try outputs.write(
            "device-types",
            JSONValue.object(devices.map { JSONMember($0.name, .string(typeNames[$0.deviceType.id] ?? $0.deviceType.id)) }).serialized)
        try runtime.emit("hostnames", JSONValue.array(devices.map { .string($0.name) }).serialized)
    }
}
