import Foundation
import JSON

/// A BMC simulator started for one test, and what it can tell about itself afterwards.
public struct SimulatedBMC: Sendable {
    public var url: String
    public var caFile: String
    public var pid: Int32

    /// `host` as obm-sync-creds takes it: `127.0.0.1:PORT`.
    public var host: String { String(url.dropFirst("https://".count)) }

    public static func start(personality: String, accounts: [String], timeScale: Double = 0.05, extra: [String] = []) throws -> SimulatedBMC
    {
        var arguments = ["bmc", "--personality", personality, "--time-scale", String(timeScale)]
        for account in accounts { arguments += ["--account", account] }
        let server = try SimulatorProcess.start(arguments + extra)
        return SimulatedBMC(url: server.url, caFile: server.caFile, pid: server.pid)
    }

    /// The environment obm-sync-creds needs for this BMC, with the credentials on record.
    public func environment(user: String = "root", password: String, legacy: [String] = [], extra: [String: String] = [:]) -> [String:
        String]
    {
        let list = JSONValue.array(legacy.map { .string($0) }).serialized
        return ["OBM_CA_FILE": caFile, "OBM_USERNAME": user, "OBM_PASSWORD": password, "OBM_LEGACY_PASSWORDS": list].merging(extra) { $1 }
    }

    func control(_ path: String, body: String? = nil) throws -> JSONValue {
        var arguments = ["-sS", "--cacert", caFile, url + path]
        if let body { arguments += ["-X", "POST", "-d", body] }
        let result = try runProcess("/usr/bin/curl", arguments, environment: [:])
        guard result.status == 0 else { throw TestFailure("curl \(path): \(result.stderr)") }
        return try JSONValue(parsing: result.stdout)
    }

    /// Sessions open, lockouts caused, and every login attempt with its time and outcome.
    public func state() throws -> (sessions: Int, lockouts: Int, attempts: [(time: Double, user: String, outcome: String)]) {
        let state = try control("/_simulator/state")
        let attempts = (state["attempts"]?.arrayValue ?? []).map {
            (time: $0["time"]?.doubleValue ?? 0, user: $0["user"]?.stringValue ?? "", outcome: $0["outcome"]?.stringValue ?? "")
        }
        return (state["sessions"]?.intValue ?? -1, state["lockouts"]?.intValue ?? -1, attempts)
    }

    /// Whether the BMC accepts these credentials now (asked without a login attempt).
    public func accepts(user: String, password: String) throws -> Bool {
        try control(
            "/_simulator/check",
            body: JSONValue.object([JSONMember("user", .string(user)), JSONMember("password", .string(password))]).serialized)["matches"]?
            .boolValue == true
    }

    /// The BMC acts on the next `count` requests under `prefix`, and a proxy in front of it
    /// answers `status` instead of the BMC's answer.
    public func loseAnswers(_ prefix: String, method: String? = nil, status: Int = 502, count: Int = 1) throws {
        let methodField = method.map { #", "method": "\#($0)""# } ?? ""
        _ = try control(
            "/_simulator/gateway", body: #"{"prefix": "\#(prefix)", "status": \#(status), "count": \#(count)\#(methodField)}"#)
    }

    /// Members (a JSON object's text, numbers as written) that replace the AccountService's own.
    public func overrideAccountService(_ members: String) throws {
        _ = try control("/_simulator/account-service", body: members)
    }

    /// Requests under `prefix` are redirected to `location` before the BMC sees them.
    public func redirect(_ prefix: String, status: Int, to location: String) throws {
        _ = try control("/_simulator/redirect", body: #"{"prefix": "\#(prefix)", "status": \#(status), "location": "\#(location)"}"#)
    }

    /// Answer requests under `prefix` after `milliseconds`.
    public func slowDown(_ prefix: String, milliseconds: Int) throws {
        _ = try control("/_simulator/slow", body: #"{"prefix": "\#(prefix)", "ms": \#(milliseconds)}"#)
    }
}

extension SimulatedBMC {
    /// Once `failures` logins were refused, the next `count` logins are answered 503 unjudged.
    public func busyAfterFailures(_ failures: Int, count: Int = 1) throws {
        _ = try control("/_simulator/busy-after-failures", body: #"{"failures": \#(failures), "count": \#(count)}"#)
    }
}
