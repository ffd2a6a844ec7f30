import ArgumentParser
import BMCSimulator
import Foundation
import JSON
import KubernetesSimulator
import NautobotSimulator
import SimulatorSupport

/// `simulator`: the test and demo servers, one subcommand per simulated product.
@main
struct Simulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Simulated Nautobot (and later BMC, Kubernetes API) servers over TLS on 127.0.0.1, for tests and `make demo`.",
        subcommands: [NautobotCommand.self, KubernetesCommand.self, BMCCommand.self]
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

struct KubernetesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubernetes", abstract: "A Kubernetes API server for Secrets, Pods and ConfigMaps, enough for the steps and kubectl.")

    @OptionGroup var server: ServerOptions

    @Option(help: "A bearer token it accepts (repeatable; env SIMULATOR_KUBERNETES_TOKEN).")
    var token: [String] = []

    @Option(help: "A verb:resource pair to refuse with 403, e.g. get:pods (repeatable).")
    var deny: [String] = []

    @Option(help: "A JSON file of objects (an array, or a List with items) to start with.")
    var objects: String?

    @Option(help: "Write a kubeconfig for this server (its CA, the first token, namespace argo-events) here once it listens.")
    var kubeconfigOut: String?

    func run() async throws {
        var tokens = token
        if let fromEnvironment = ProcessInfo.processInfo.environment["SIMULATOR_KUBERNETES_TOKEN"] { tokens.append(fromEnvironment) }
        guard let first = tokens.first else { throw ValidationError("--token or SIMULATOR_KUBERNETES_TOKEN is required") }
        var seed: [JSONValue] = []
        if let objects {
            let document = try JSONValue(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: objects))))
            seed = document.arrayValue ?? document["items"]?.arrayValue ?? []
        }
        server.watchParent()
        let authority = try TestCertificateAuthority(folder: server.tlsDir, commonName: "kubernetes-simulator")
        var serverOptions = server
        if let kubeconfigOut {
            // The kubeconfig is written before the URL is announced, so a waiter can use both.
            let ready = server.readyFile
            serverOptions.readyFile = nil
            let caData = try Data(contentsOf: URL(fileURLWithPath: authority.caFile)).base64EncodedString()
            try await SimulatorServer(
                service: KubernetesSimulator(tokens: tokens, denials: deny, objects: seed),
                authority: authority, port: server.port, readyFile: nil,
                onListening: { url in
                    let text = """
                        apiVersion: v1
                        kind: Config
                        clusters:
                        - cluster:
                            certificate-authority-data: \(caData)
                            server: \(url)
                          name: simulator
                        contexts:
                        - context:
                            cluster: simulator
                            namespace: argo-events
                            user: workflow
                          name: simulator
                        current-context: simulator
                        users:
                        - name: workflow
                          user:
                            token: \(first)

                        """
                    try? text.write(toFile: kubeconfigOut, atomically: true, encoding: .utf8)
                    if let ready { try? url.write(toFile: ready, atomically: true, encoding: .utf8) }
                }
            ).run()
            _ = serverOptions
        } else {
            try await SimulatorServer(
                service: KubernetesSimulator(tokens: tokens, denials: deny, objects: seed),
                authority: authority, port: server.port, readyFile: server.readyFile
            ).run()
        }
    }
}

struct BMCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bmc", abstract: "A BMC speaking Redfish (iDRAC 9, iLO 5 or the DMTF reference), with lockouts and an attempt log.")

    @OptionGroup var server: ServerOptions

    @Option(help: "idrac9, ilo5 or dmtf.")
    var personality: String = "idrac9"

    @Option(help: "An account as user:password, or user:password:change when it must change its password first (repeatable).")
    var account: [String] = []

    @Option(help: "Multiply every lockout duration by this (tests: 0.02 makes iDRAC's 60 s window 1.2 s).")
    var timeScale: Double = 1

    @Option(help: "Failed logins that lock an account (dmtf; reported in the AccountService).")
    var accountThreshold: Int?

    @Option(help: "Simultaneous sessions allowed.")
    var sessionLimit = 4

    @Flag(help: "Offer no SessionService: basic authentication only.")
    var noSessions = false

    @Option(help: "The manager's FirmwareVersion.")
    var firmwareVersion = "7.00.60.00"

    func run() async throws {
        guard let kind = BMCPersonality(rawValue: personality) else {
            throw ValidationError("--personality must be one of \(BMCPersonality.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let accounts = try account.map { text -> (user: String, password: String, mustChange: Bool) in
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty else { throw ValidationError("--account \(text) is not user:password") }
            return (parts[0], parts[1], parts.count == 3 && parts[2] == "change")
        }
        var policy = BMCSimulator.Policy.defaults(for: kind).scaled(by: timeScale)
        if let accountThreshold { policy.accountThreshold = accountThreshold }
        server.watchParent()
        let authority = try TestCertificateAuthority(folder: server.tlsDir, commonName: "bmc-simulator")
        try await SimulatorServer(
            service: BMCSimulator(
                personality: kind, accounts: accounts, policy: policy, sessionLimit: sessionLimit, offersSessions: !noSessions,
                firmwareVersion: firmwareVersion),
            authority: authority, port: server.port, readyFile: server.readyFile
        ).run()
    }
}
