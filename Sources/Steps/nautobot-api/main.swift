import ArgumentParser
import JSON
import Nautobot
import StepRuntime

/// `nautobot-api`: one call to `$NAUTOBOT_URL/api<uri>`; the JSON answer is the output `result`.
@main
struct NautobotAPI: Step {
    static let configuration = CommandConfiguration(
        commandName: "nautobot-api",
        abstract: "One call to the Nautobot REST API; prints and outputs the JSON answer as `result`.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["method", "uri", "body"]
    static let flags = ["all-pages"]
    static let settings =
        NautobotSettings.environmentHelp + [
            EnvironmentSetting("NAUTOBOT_MAX_RESULT_BYTES", "the largest answer passed on as result (default 3 MiB; more is exit 1)")
        ]

    @Option(help: "GET, POST, PUT, PATCH or DELETE.")
    var method = "GET"

    @Option(help: "Path under /api, starting with /, query already encoded: /dcim/devices/?name=host1")
    var uri: String

    @Option(help: "JSON request body, for POST, PUT and PATCH.")
    var body: String?

    @Flag(help: "Follow `next` pages of a list answer; `result` is then {\"count\": N, \"results\": [...]}.")
    var allPages = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let environment = ProcessEnvironment.current()
        let call = try NautobotCall(method: method, uri: uri, body: body, allPages: allPages)
        let limit = try NautobotCall.resultLimit(environment)
        let client = try NautobotClient.fromEnvironment(environment)
        try runtime.emit("result", try call.perform(with: client, limit: limit))
    }
}
