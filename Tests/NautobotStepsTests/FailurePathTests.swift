import Foundation
import StepTesting
import Testing

/// Every failure path of the Nautobot steps: its exit status and its one line, and never the token.
@Suite(.stopsSimulators) struct FailurePathTests {
    static let steps = ["get-obm-ip", "get-device-nautobot"]

    @Test(arguments: NautobotBackend.available)
    func invalidTokenIsRefusedWithoutPrintingIt(backend: NautobotBackend) throws {
        let wrong = "wrong0token0" + "98765432109876543210"
        for step in Self.steps {
            let env = backend.environment.merging(["NAUTOBOT_TOKEN": wrong, "LOG_LEVEL": "debug"]) { $1 }
            let run = try runStep(step, ["--hostname", "host1.domain.local"], environment: env)
            #expect(run.status == 1, "\(step): \(run)")
            #expect(run.stderr.contains("refused the token (HTTP 403"), "\(run)")
            #expect(run.stderr.hasSuffix("check Secret nautobot-token\n"))
            #expect(!run.everything.contains(wrong))
            #expect(!run.everything.contains(backend.token))
        }
    }

    @Test func missingSettingsAreBadInput() throws {
        let backend = try SimulatedNautobot.shared()
        for (unset, text) in [("NAUTOBOT_TOKEN", "NAUTOBOT_TOKEN is not set"), ("NAUTOBOT_URL", "NAUTOBOT_URL is not set")] {
            var env = backend.environment
            env[unset] = nil
            let run = try runStep("get-obm-ip", ["--hostname", "host1.domain.local"], environment: env)
            #expect(run.status == 64, "\(run)")
            #expect(run.stderrLines.count == 1 && run.stderr.contains(text), "\(run)")
        }
        let notURL = try runStep(
            "get-device-nautobot", ["--hostname", "h"], environment: backend.environment.merging(["NAUTOBOT_URL": "ftp://x"]) { $1 })
        #expect(notURL.status == 64)
        let tokenWithSpace = try runStep(
            "get-device-nautobot", ["--hostname", "h"], environment: backend.environment.merging(["NAUTOBOT_TOKEN": "Token abcdef"]) { $1 })
        #expect(tokenWithSpace.status == 64)
        #expect(!tokenWithSpace.everything.contains("abcdef"))
        let noHostname = try runStep("get-obm-ip", [], environment: backend.environment)
        #expect(noHostname.status == 64)
        #expect(noHostname.stderrLines.count == 1 && noHostname.stderr.contains("--hostname"), "\(noHostname)")
    }

    @Test func serverDownIsTransientAfterRetries() throws {
        let backend = try SimulatedNautobot.shared()
        let env = backend.environment.merging(["NAUTOBOT_URL": "https://127.0.0.1:\(closedPort())"]) { $1 }
        let run = try runStep("get-obm-ip", ["--hostname", "host1.domain.local"], environment: env)
        #expect(run.status == 75, "\(run)")
        #expect(run.stderr.contains("attempt 4 of 4"))
        #expect(run.stderrLines.last?.contains("cannot connect to") == true)
        #expect(run.output("ip") == nil)
    }

    @Test func serverAnswering500IsTransientAfterRetries() throws {
        let backend = try SimulatedNautobot.start()
        try backend.control("/_simulator/fail", body: #"{"status": 500, "count": 100}"#)
        let run = try runStep("get-device-nautobot", ["--hostname", "host1.domain.local"], environment: backend.environment)
        #expect(run.status == 75, "\(run)")
        #expect(run.stderr.contains("answered 500; retrying"))
        #expect(run.stderrLines.last?.contains("is unavailable (HTTP 500") == true, "\(run)")
        let served = try backend.control("/_simulator/requests")
        #expect(served.contains("\"requests\":4"), "one attempt and three retries: \(served)")
    }

    @Test func a503ThatClearsIsRiddenOut() throws {
        let backend = try SimulatedNautobot.start()
        try backend.control("/_simulator/fail", body: #"{"status": 503, "count": 2}"#)
        let run = try runStep("get-obm-ip", ["--hostname", "host1.domain.local"], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        #expect(run.output("ip") == "10.0.0.11")
    }

    @Test func wrongCertificateAuthorityFailsClosed() throws {
        let backend = try SimulatedNautobot.shared()
        let otherCA = try SimulatedNautobot.start().caFile ?? ""
        let run = try runStep(
            "get-obm-ip", ["--hostname", "host1.domain.local"],
            environment: backend.environment.merging(["NAUTOBOT_CA_FILE": otherCA]) { $1 })
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("failed verification"))
        let system = try runStep(
            "get-obm-ip", ["--hostname", "host1.domain.local"], environment: backend.environment.merging(["NAUTOBOT_CA_FILE": ""]) { $1 })
        #expect(system.status == 1, "the simulator's CA is not in the system bundle: \(system)")
    }
}
