import Foundation
import JSON
import Synchronization

/// A Nautobot the step tests run against: the simulator, or a real one on loopback.
public struct NautobotBackend: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case simulator, real }

    public var kind: Kind
    public var url: String
    public var token: String
    public var caFile: String?

    /// The environment a step needs to reach this Nautobot.
    public var environment: [String: String] {
        var env = ["NAUTOBOT_URL": url, "NAUTOBOT_TOKEN": token]
        if let caFile { env["NAUTOBOT_CA_FILE"] = caFile }
        return env
    }

    public var description: String { kind.rawValue }

    /// Calls one of the simulator's `/_simulator/` control endpoints (POST when there is a body).
    @discardableResult
    public func control(_ path: String, body: String? = nil) throws -> String {
        var arguments = ["-sS", "--cacert", caFile ?? "", url + path]
        if let body { arguments += ["-X", "POST", "-d", body] }
        let result = try runProcess("/usr/bin/curl", arguments, environment: [:])
        guard result.status == 0 else { throw TestFailure("curl \(path): \(result.stderr)") }
        return result.stdout
    }

    /// GETs `/api` + `path` with `token` (default: this backend's), by curl, not by the code
    /// under test.
    public func get(_ path: String, token: String? = nil) throws -> JSONValue {
        let result = try runProcess(
            "/usr/bin/curl",
            [
                "-sS", "--cacert", caFile ?? "", "-H", "Authorization: Token \(token ?? self.token)", "-H", "Accept: application/json",
                url + "/api" + path,
            ],
            environment: [:])
        return try JSONValue(parsing: result.stdout)
    }

    /// Every Nautobot available: the simulator always; the real one when NAUTOBOT_REAL_URL and
    /// NAUTOBOT_REAL_TOKEN say where (`.ci/run` starts it). With REQUIRE_REAL_NAUTOBOT=1 (CI),
    /// a missing real server is a failure, never a silent skip.
    public static var available: [NautobotBackend] {
        var backends: [NautobotBackend] = []
        if let simulator = try? SimulatedNautobot.shared() { backends.append(simulator) }
        if let real = real { backends.append(real) }
        return backends
    }

    public static var real: NautobotBackend? {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["NAUTOBOT_REAL_URL"], !url.isEmpty, let token = env["NAUTOBOT_REAL_TOKEN"] else { return nil }
        return NautobotBackend(kind: .real, url: url, token: token, caFile: nil)
    }

    public static var realIsRequired: Bool { ProcessInfo.processInfo.environment["REQUIRE_REAL_NAUTOBOT"] == "1" }
}

/// The Nautobot simulator, started once per test process with the shared inventory.
public enum SimulatedNautobot {
    public static let token = "sim0token0" + "5f3c9a7e1b2d4f6a8c0e1f2a3b4c5d6e"
    private static let started = Mutex<NautobotBackend?>(nil)

    public static func shared() throws -> NautobotBackend {
        try started.withLock { backend in
            if let backend { return backend }
            // Shared by the whole run: started outside any test's scope, so no test stops it.
            let made = try SimulatorScope.$current.withValue(nil) { try start() }
            backend = made
            return made
        }
    }

    /// Starts a simulator of our own (for tests that inject faults and must not disturb others).
    public static func start() throws -> NautobotBackend {
        let server = try SimulatorProcess.start([
            "nautobot", "--inventory", BuiltProducts.packageRoot + "/fixtures/nautobot-inventory.json", "--token", token,
        ])
        return NautobotBackend(kind: .simulator, url: server.url, token: token, caFile: server.caFile)
    }
}

/// A simulator process started for tests: stopped when the test that started it ends (its
/// SimulatorScope), else when the test process exits (`--stop-with-parent`).
public struct SimulatorProcess: Sendable {
    public var url: String
    public var caFile: String
    public var pid: Int32

    /// `tls`: whether to give the simulator a TLS folder (every simulator but `files` needs one).
    public static func start(_ arguments: [String], tls: Bool = true) throws -> SimulatorProcess {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("simulator-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ready = folder + "/url"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path("simulator"))
        process.arguments = arguments + (tls ? ["--tls-dir", folder + "/tls"] : []) + ["--ready-file", ready, "--stop-with-parent"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/stderr")
        try process.run()
        SimulatorScope.current?.adopt(process.processIdentifier)
        for _ in 0..<300 {
            if let url = try? String(contentsOfFile: ready, encoding: .utf8), !url.isEmpty {
                return SimulatorProcess(url: url, caFile: folder + "/tls/ca.pem", pid: process.processIdentifier)
            }
            guard process.isRunning else {
                throw TestFailure("simulator \(arguments.first ?? "") exited with \(process.terminationStatus)")
            }
            usleep(50_000)
        }
        process.terminate()
        throw TestFailure("simulator \(arguments.first ?? "") did not start in 15 s")
    }

    public func stop() { kill(pid, SIGTERM) }
}

/// A TCP port on 127.0.0.1 that nothing listens on: for "server down".
public func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    // Closed on return without listen(): connecting to it is refused.
    return Int(UInt16(bigEndian: address.sin_port))
}
