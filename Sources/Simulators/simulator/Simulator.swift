import ArgumentParser
import BMCSimulator
import Foundation
import Hummingbird
import HummingbirdTLS
import JSON
import KubernetesSimulator
import Logging
import NIOCore
import NIOSSL
import NautobotSimulator
import SimulatorSupport

/// `simulator`: the test and demo servers, one subcommand per simulated product.
@main
struct Simulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Simulated Nautobot (and later BMC, Kubernetes API) servers over TLS on 127.0.0.1, for tests and `make demo`.",
        subcommands: [NautobotCommand.self, KubernetesCommand.self, BMCCommand.self, BMCFleetCommand.self, FilesCommand.self]
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

    func watchParent() { stopWhenParentExits(stopWithParent) }
}

/// Polls the parent: once this process is re-parented, whoever started it is gone.
func stopWhenParentExits(_ enabled: Bool) {
    guard enabled else { return }
    let parent = getppid()
    Thread.detachNewThread {
        while getppid() == parent { sleep(1) }
        Foundation.exit(0)
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

    @Option(help: "An image server's URL to put where the inventory's image URLs say https://firmware.example.")
    var imageServer: String?

    func run() async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: inventory))
        var parsed = try NautobotInventory(json: JSONValue(parsing: Array(data)))
        if let imageServer { parsed.serveImages(from: imageServer) }
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

    @Flag(help: "dmtf: show the AccountService (and its lockout policy) only after a login.")
    var accountServiceNeedsLogin = false

    @Flag(help: "Offer no SessionService: basic authentication only.")
    var noSessions = false

    @Option(help: "The manager's FirmwareVersion.")
    var firmwareVersion = "7.00.60.00"

    @Option(help: "What an accepted update does: complete, warning, exception, ignore (no task, no change), vanish (the task disappears).")
    var updateOutcome = "complete"

    @Option(help: "Seconds an update task runs.")
    var taskSeconds: Double = 1

    @Flag(help: "Reboot during the update: 503 to everything from 30% to 70% of the task, and every session ends.")
    var rebootDuringUpdate = false

    @Option(help: "With --reboot-during-update: user:password, that account's password after the reboot.")
    var passwordAfterReboot: String?

    @Option(help: "The FirmwareVersion after a successful update.")
    var nextVersion = "7.10.30.00"

    @Flag(help: "Report the UpdateService as disabled (ServiceEnabled false).")
    var updateServiceDisabled = false

    @Option(help: "SimpleUpdate's TransferProtocol values, comma separated (default: the vendor's).")
    var simpleProtocols: String?

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
        _ = try updateBehaviour()
        if let accountThreshold { policy.accountThreshold = accountThreshold }
        server.watchParent()
        let authority = try TestCertificateAuthority(folder: server.tlsDir, commonName: "bmc-simulator")
        try await SimulatorServer(
            service: BMCSimulator(
                personality: kind, accounts: accounts, policy: policy, sessionLimit: sessionLimit, offersSessions: !noSessions,
                firmwareVersion: firmwareVersion, update: try updateBehaviour(), openAccountService: !accountServiceNeedsLogin),
            authority: authority, port: server.port, readyFile: server.readyFile
        ).run()
    }
}

extension BMCCommand {
    func updateBehaviour() throws -> UpdateBehaviour {
        guard let outcome = UpdateBehaviour.Outcome(rawValue: updateOutcome), outcome != .busy else {
            throw ValidationError("--update-outcome must be complete, warning, exception, ignore or vanish")
        }
        var behaviour = UpdateBehaviour(
            outcome: outcome, taskSeconds: taskSeconds, rebootDuringUpdate: rebootDuringUpdate, nextVersion: nextVersion,
            enabled: !updateServiceDisabled,
            simpleProtocols: simpleProtocols.map { $0.split(separator: ",").map { String($0).uppercased() } })
        if let passwordAfterReboot {
            let parts = passwordAfterReboot.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--password-after-reboot \(passwordAfterReboot) is not user:password") }
            behaviour.passwordAfterReboot = (parts[0], parts[1])
        }
        return behaviour
    }
}

/// A web server for firmware images: files from a folder, over HTTP (or HTTPS with --tls-dir),
/// with a Content-Length, or without one (--no-length) like servers that stream.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files", abstract: "Serves a folder's files over HTTP(S), for firmware images.")

    @Option(help: "The folder to serve.")
    var directory: String

    @Option(help: "Port on 127.0.0.1; 0 picks a free one.")
    var port = 0

    @Option(help: "Serve HTTPS with a test CA made in this folder (clients trust <folder>/ca.pem).")
    var tlsDir: String?

    @Option(help: "File to write the server's URL into once it listens.")
    var readyFile: String?

    @Flag(help: "Send bodies without a Content-Length (chunked).")
    var noLength = false

    @Option(help: "Send bodies at about this many bytes per second (a slow image server); 0 is as fast as possible.")
    var bytesPerSecond = 0

    @Flag(help: "Exit when the parent process does.")
    var stopWithParent = false

    func run() async throws {
        stopWhenParentExits(stopWithParent)
        let folder = directory
        let chunked = noLength
        let rate = bytesPerSecond
        let router = Router(options: .autoGenerateHeadEndpoints)
        let files = FileIO()
        router.get("**") { request, context -> Response in
            let name = request.uri.path.split(separator: "/").last.map(String.init) ?? ""
            guard !name.isEmpty, !name.hasPrefix("."), FileManager.default.fileExists(atPath: folder + "/" + name) else {
                return Response(status: .notFound)
            }
            if rate > 0 {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
                let slice = max(1, rate / 10)
                return Response(
                    status: .ok, headers: [.contentType: "application/octet-stream", .contentLength: String(bytes.count)],
                    body: ResponseBody(contentLength: bytes.count) { writer in
                        var offset = 0
                        while offset < bytes.count {
                            let end = min(bytes.count, offset + slice)
                            try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                            offset = end
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        try await writer.finish(nil)
                    })
            }
            let body = try await files.loadFile(path: folder + "/" + name, context: context)
            if chunked {
                return Response(
                    status: .ok, headers: [.contentType: "application/octet-stream"],
                    body: ResponseBody { writer in try await body.write(writer) })
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
        }
        let scheme = tlsDir == nil ? "http" : "https"
        let ready = readyFile
        let onRunning: @Sendable (any Channel) async -> Void = { channel in
            let url = "\(scheme)://127.0.0.1:\(channel.localAddress?.port ?? 0)"
            if let ready { try? url.write(toFile: ready, atomically: true, encoding: .utf8) }
            FileHandle.standardOutput.write(Data((url + "\n").utf8))
        }
        let logger = Logger(label: "files", factory: { _ in SwiftLogNoOpLogHandler() })
        let configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: nil)
        if let tlsDir {
            let authority = try TestCertificateAuthority(folder: tlsDir, commonName: "files-simulator")
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(authority.certificateFile).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: authority.keyFile, format: .pem)))
            try await Application(
                router: router, server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration, onServerRunning: onRunning,
                logger: logger
            ).runService()
        } else {
            try await Application(router: router, configuration: configuration, onServerRunning: onRunning, logger: logger).runService()
        }
    }
}
