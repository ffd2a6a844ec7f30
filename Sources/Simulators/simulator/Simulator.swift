import ArgumentParser
import Foundation
import JSON
import NautobotSimulator
import SimulatorSupport

/// `simulator`: the test and demo servers, one subcommand per simulated product.
@main
struct Simulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Simulated Nautobot (and later BMC, Kubernetes API) servers over TLS on 127.0.0.1, for tests and `make demo`.",
        subcommands: [NautobotCommand.self]
    )
}

/// Options every simulator shares.
struct ServerOptions: ParsableArguments {
    @Option(help: "Port on 127.0.0.1; 0 picks a free one.")
    var port = 0

    @Option(help: "Folder for the test CA and server certificate (made if missing); clients trust <folder>/ca.pem.")
    var tlsDir: String

    @Option(help: "File to write the server's URL into once it listens.")
    var readyFile: String?

    @Flag(help: "Exit when the parent process does (tests start simulators and may die first).")
    var stopWithParent = false

    /// Polls the parent: once this process is re-parented, whoever started it is gone.
    func watchParent() {
        guard stopWithParent else { return }
        let parent = getppid()
        Thread.detachNewThread {
            while getppid() == parent { sleep(1) }
            Foundation.exit(0)
        }
    }
}

struct NautobotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nautobot", abstract: "A Nautobot 3.2.7 REST API serving an inventory file.")

    @OptionGroup var server: ServerOptions

    @Option(help: "The inventory JSON (fixtures/nautobot-inventory.json).")
    var inventory: String

    @Option(help: "The API token clients must send (env SIMULATOR_NAUTOBOT_TOKEN).")
    var token: String?

    func run() async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: inventory))
        let parsed = try NautobotInventory(json: JSONValue(parsing: Array(data)))
        guard let token = token ?? ProcessInfo.processInfo.environment["SIMULATOR_NAUTOBOT_TOKEN"] else {
            throw ValidationError("--token or SIMULATOR_NAUTOBOT_TOKEN is required")
        }
        server.watchParent()
        let authority = try TestCertificateAuthority(folder: server.tlsDir, commonName: "nautobot-simulator")
        try await SimulatorServer(
            service: NautobotSimulator(inventory: parsed, token: token),
            authority: authority,
            port: server.port,
            readyFile: server.readyFile
        ).run()
    }
}
