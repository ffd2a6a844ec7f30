import Foundation
import StepTesting
import Testing

/// nautobot-api passes on only the JSON it promises, within what Argo can carry, and never
/// reports a write whose outcome it does not know as retryable.
@Suite struct NautobotAPIAnswerTests {
    static let token = "t0ken-0123456789"

    func call(_ server: ScriptedSocketServer, _ arguments: [String], extra: [String: String] = [:]) throws -> StepRun {
        try runStep(
            "nautobot-api", arguments,
            environment: ["NAUTOBOT_URL": server.baseURL, "NAUTOBOT_TOKEN": Self.token].merging(extra) { $1 })
    }

    @Test func anAnswerThatIsNotJSONIsExit1() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let cases: [(ScriptedSocketServer.Action, String)] = [
            (.respond(status: 200, body: "<html><body>Login</body></html>"), "is not JSON"),
            (.respondBytes(status: 200, body: Array(#"{"name": "caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)), "is not valid UTF-8"),
            (.respond(status: 200, body: deep), "is not JSON"),
        ]
        for (action, expected) in cases {
            let server = try ScriptedSocketServer { _, _, _ in action }
            defer { server.stop() }
            let run = try call(server, ["--uri", "/dcim/devices/"])
            #expect(run.status == 1, "\(run)")
            #expect(run.stderrLines.last?.contains(expected) == true, "\(run)")
            #expect(run.output("result") == nil, "nothing passed on")
        }
    }

    @Test func anEmptyAnswerStaysEmpty() throws {
        let server = try ScriptedSocketServer { _, _, _ in .respond(status: 204) }
        defer { server.stop() }
        let run = try call(server, ["--method", "DELETE", "--uri", "/dcim/devices/1/"])
        #expect(run.status == 0, "\(run)")
        #expect(run.output("result") == "")
    }

    @Test func anAnswerLargerThanTheLimitIsExit1NamingIt() throws {
        let big = #"{"results": [""# + String(repeating: "x", count: 5000) + #""]}"#
        let server = try ScriptedSocketServer { _, _, _ in .respond(status: 200, body: big) }
        defer { server.stop() }
        let run = try call(server, ["--uri", "/dcim/devices/"], extra: ["NAUTOBOT_MAX_RESULT_BYTES": "2048"])
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last
                == "nautobot-api: Nautobot's answer to /api/dcim/devices/ is larger than NAUTOBOT_MAX_RESULT_BYTES (2048 bytes); narrow the query (filters, limit, fields) or raise the setting"
        )
        #expect(run.output("result") == nil)
        let pages = try ScriptedSocketServer { _, path, _ in
            let next = path.contains("offset") ? "null" : #""{{base}}/api/dcim/devices/?offset=1""#
            return .respond(status: 200, body: #"{"next": \#(next), "results": [""# + String(repeating: "y", count: 1500) + #""]}"#)
        }
        defer { pages.stop() }
        let all = try call(pages, ["--uri", "/dcim/devices/", "--all-pages"], extra: ["NAUTOBOT_MAX_RESULT_BYTES": "2048"])
        #expect(all.status == 1, "two pages of 1.5 KB pass 2 KiB together: \(all)")
        #expect(all.stderrLines.last?.contains("is larger than NAUTOBOT_MAX_RESULT_BYTES (2048 bytes)") == true, "\(all)")
    }

    @Test func aWriteWhoseAnswerIsLostIsExit1AndSentOnce() throws {
        let server = try ScriptedSocketServer { _, _, _ in .closeWithoutAnswer }
        defer { server.stop() }
        let run = try call(server, ["--method", "POST", "--uri", "/dcim/devices/", "--body", #"{"name": "x"}"#])
        #expect(run.status == 1, "never 75: a retry would make a second object: \(run)")
        #expect(run.stderrLines.last?.hasSuffix("whether it was applied is unknown (not retried)") == true, "\(run)")
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }
}
