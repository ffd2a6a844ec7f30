import ArgumentParser
import BMCSimulator
import Foundation
import JSON
import SimulatorSupport
import Synchronization

/// `simulator bmc-fleet`: many BMCs in one process, each on a port of 127.0.0.1 of its own, each
/// standing for the address Nautobot gives it. Clients reach them with connect-to routes
/// (`OBM_CONNECT_TO`), so the steps still use, and verify certificates against, the address.
struct BMCFleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bmc-fleet",
        abstract: "Many simulated BMCs, one listener each, described by a JSON file.",
        discussion: """
            The spec is a JSON list (or an object whose `bmcs` is one), one object per BMC: address (required), personality (idrac9, ilo5,
            dmtf), accounts (["user:password"]), timeScale, firmwareVersion, updateOutcome, taskSeconds,
            nextVersion. Once every BMC listens, the ready file holds {"connectTo": "...", "bmcs":
            {"<address>": "https://127.0.0.1:PORT"}}.
            """)

    @Option(help: "The fleet's JSON spec.")
    var spec: String

    @Option(help: "Folder for the test CA and the certificate naming every address.")
    var tlsDir: String

    @Option(help: "File to write the routes and URLs into once every BMC listens.")
    var readyFile: String

    @Option(help: "The port the steps address BMCs on (the left side of each route).")
    var bmcPort = 443

    @Flag(help: "Exit when the parent process does.")
    var stopWithParent = false

    struct Member: Sendable {
        var address: String
        var simulator: BMCSimulator
    }

    func members() throws -> [Member] {
        let document = try JSONValue(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: spec))))
        guard let list = document.arrayValue ?? document["bmcs"]?.arrayValue else {
            throw ValidationError("\(spec) is neither a JSON list nor an object with a list `bmcs`")
        }
        return try list.enumerated().map { index, entry in
            guard let address = entry["address"]?.stringValue else { throw ValidationError("BMC \(index) has no address") }
            let personalityName = entry["personality"]?.stringValue ?? "idrac9"
            guard let personality = BMCPersonality(rawValue: personalityName) else {
                throw ValidationError("BMC \(address): no personality \(personalityName)")
            }
            let accounts = try (entry["accounts"]?.arrayValue ?? []).compactMap(\.stringValue).map {
                text -> (user: String, password: String, mustChange: Bool) in
                let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("BMC \(address): account \(text) is not user:password") }
                return (parts[0], parts[1], false)
            }
            let outcomeName = entry["updateOutcome"]?.stringValue ?? "complete"
            guard let outcome = UpdateBehaviour.Outcome(rawValue: outcomeName), outcome != .busy else {
                throw ValidationError("BMC \(address): updateOutcome \(outcomeName) is not complete, warning, exception, ignore or vanish")
            }
            let policy = BMCSimulator.Policy.defaults(for: personality).scaled(by: entry["timeScale"]?.doubleValue ?? 1)
            let update = UpdateBehaviour(
                outcome: outcome, taskSeconds: entry["taskSeconds"]?.doubleValue ?? 1, rebootDuringUpdate: false,
                nextVersion: entry["nextVersion"]?.stringValue ?? "7.10.30.00", enabled: true, simpleProtocols: nil)
            return Member(
                address: address,
                simulator: BMCSimulator(
                    personality: personality, accounts: accounts, policy: policy,
                    firmwareVersion: entry["firmwareVersion"]?.stringValue ?? "7.00.60.00", update: update))
        }
    }

    func run() async throws {
        let fleet = try members()
        stopWhenParentExits(stopWithParent)
        let authority = try TestCertificateAuthority(folder: tlsDir, commonName: "bmc-fleet", addresses: fleet.map(\.address))
        let listening = Listening()
        let order = fleet.map(\.address)
        let readyFile = self.readyFile
        let bmcPort = self.bmcPort
        let count = fleet.count
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in fleet {
                group.addTask {
                    try await SimulatorServer(
                        service: member.simulator, authority: authority,
                        onListening: { url in
                            let all = listening.urls.withLock { urls -> [String: String]? in
                                urls[member.address] = url
                                return urls.count == count ? urls : nil
                            }
                            guard let all else { return }
                            Self.writeReady(all, order: order, bmcPort: bmcPort, to: readyFile)
                        }
                    ).run()
                }
            }
            try await group.waitForAll()
        }
    }

    /// The URLs of the BMCs listening so far.
    final class Listening: Sendable {
        let urls = Mutex<[String: String]>([:])
    }

    static func writeReady(_ urls: [String: String], order: [String], bmcPort: Int, to file: String) {
        let routes = order.compactMap { address in
            urls[address].map { url in "\(address):\(bmcPort):127.0.0.1:\(url.split(separator: ":").last ?? "")" }
        }
        let document: JSONValue = [
            "connectTo": .string(routes.joined(separator: ",")),
            "bmcs": .object(order.compactMap { address in urls[address].map { JSONMember(address, .string($0)) } }),
        ]
        try? document.serialized.write(toFile: file + ".tmp", atomically: false, encoding: .utf8)
        rename(file + ".tmp", file)
    }
}
