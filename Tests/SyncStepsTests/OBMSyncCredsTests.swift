import Foundation
import StepTesting
import Testing

/// `obm-sync-creds` against simulated BMCs with lockout policies scaled down (time-scale 0.05:
/// iDRAC's 60 s window is 3 s), so the real scheduling code runs without real minutes.
@Suite(.stopsSimulators) struct OBMSyncCredsTests {
    static let record = "Record-Passw0rd-2026"
    static let factory = "calvin-factory"

    /// After every scenario: no session left open, no lockout caused, no password printed.
    func expectClean(_ bmc: SimulatedBMC, _ run: StepRun, passwords: [String]) throws {
        let state = try bmc.state()
        #expect(state.sessions == 0, "sessions left open on the BMC")
        #expect(state.lockouts == 0, "lockouts caused: \(state.attempts)")
        for password in passwords { #expect(!run.everything.contains(password), "a password was printed") }
    }

    @Test func alreadyInSyncIsOneLoginAndNoChange() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"])
        let run = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: bmc.environment(password: Self.record, legacy: [Self.factory]))
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "in-sync")
        #expect(try bmc.state().attempts.map(\.outcome) == ["accepted"])
        try expectClean(bmc, run, passwords: [Self.record, Self.factory])
    }

    @Test func syncedThroughTheSecondLegacyPasswordUnderTheBMCsOwnPolicy() throws {
        // The DMTF personality reports threshold 3, reset after 1.5 s in its AccountService.
        let bmc = try SimulatedBMC.start(
            personality: "dmtf", accounts: ["admin:old-one-xyz", "root:\(Self.factory)"], extra: ["--account-threshold", "3"])
        let env = bmc.environment(password: Self.record, legacy: ["wrong-legacy", Self.factory])
        let run = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env.merging(["LOG_LEVEL": "info"]) { $1 })
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "synced")
        #expect(run.stderr.contains("failed-login policy threshold=3,reset-after=1.5s"), "the policy came from the AccountService: \(run)")
        #expect(try bmc.accepts(user: "root", password: Self.record))
        let attempts = try bmc.state().attempts
        #expect(attempts.map(\.outcome) == ["refused", "refused", "accepted", "accepted"])
        // The third attempt waited for the counter to reset: 1.5 s after the second failure.
        #expect(attempts[2].time - attempts[1].time >= 1.5)
        #expect(
            attempts[2].time - attempts[1].time <= 1.5 * 1.1 + 0.6,
            "one reset period, not two (BENCHMARKS.md measures the margin without a loaded machine)")
        try expectClean(bmc, run, passwords: [Self.record, Self.factory, "wrong-legacy"])
    }

    @Test func anOperatorPolicyAddsToTheVendorsAndNeverLoosensIt() throws {
        // OBM_LOCKOUT_POLICY says 3 failures per 3 s; iDRAC blocks the address after 3 per 60 s:
        // the stricter of both, rule by rule, is iDRAC's window. Two failures go at once; the
        // third would need a 61 s wait, more than --timeout leaves: refused, nothing more tried.
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.factory)"], timeScale: 1)
        let env = bmc.environment(
            password: Self.record, legacy: ["old-1", "old-2", Self.factory],
            extra: ["OBM_LOCKOUT_POLICY": "threshold=3,reset-after=3s,duration=30s"])
        let run = try runStep("obm-sync-creds", ["--host", bmc.host, "--timeout", "20s"], environment: env)
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last
                == "obm-sync-creds: the BMC's policy (threshold=3,reset-after=60s,duration=600s (OBM_LOCKOUT_POLICY + iDRAC default)) would need a wait of 61 s before the next attempt, longer than the 20 s this step may wait: not trying legacy password #2 for root"
        )
        #expect(try bmc.state().attempts.map(\.outcome) == ["refused", "refused"])
        try expectClean(bmc, run, passwords: [Self.record, Self.factory, "old-1", "old-2"])
    }

    @Test func noPasswordWorksIsExit1WithoutLockout() throws {
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:something-else"], extra: ["--account-threshold", "3"])
        let run = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: bmc.environment(password: Self.record, legacy: ["aa-1", "bb-2", "cc-3"]))
        #expect(run.status == 1)
        #expect(
            run.stderrLines.last
                == "obm-sync-creds: none of the 4 passwords tried (the one on record and 3 legacy) was accepted by the BMC; 4 failed logins, paced to stay under the lockout threshold"
        )
        #expect(run.output("status") == nil)
        #expect(try bmc.state().attempts.count == 4, "each password exactly once")
        try expectClean(bmc, run, passwords: [Self.record, "aa-1", "bb-2", "cc-3"])
    }

    @Test func factoryAccountThatMustChangeItsPassword() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.factory):change"])
        let env = bmc.environment(
            password: Self.record, legacy: [Self.factory], extra: ["OBM_LOCKOUT_POLICY": "threshold=3,reset-after=3s,duration=30s"])
        let run = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env.merging(["LOG_LEVEL": "debug"]) { $1 })
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "synced")
        #expect(run.stderr.contains("PasswordChangeRequired"))
        #expect(try bmc.accepts(user: "root", password: Self.record))
        try expectClean(bmc, run, passwords: [Self.record, Self.factory])
    }

    @Test func ilo5SpacesItsFailures() throws {
        // iLO wants failures at least 10 s apart; scaled: 0.5 s.
        let bmc = try SimulatedBMC.start(personality: "ilo5", accounts: ["Administrator:admin-pass-1", "root:\(Self.factory)"])
        let env = bmc.environment(password: Self.record, legacy: ["old-1", Self.factory], extra: ["OBM_LOCKOUT_POLICY": "spacing=0.5s"])
        let run = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env)
        #expect(run.status == 0, "\(run)")
        #expect(try bmc.accepts(user: "root", password: Self.record))
        let failures = try bmc.state().attempts.filter { $0.outcome != "accepted" }.map(\.time)
        #expect(failures.count == 2 && failures[1] - failures[0] >= 0.5)
        try expectClean(bmc, run, passwords: [Self.record, Self.factory])
    }

    @Test func dryRunFindsOutAndChangesNothing() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.factory)"])
        let env = bmc.environment(
            password: Self.record, legacy: [Self.factory], extra: ["OBM_LOCKOUT_POLICY": "threshold=3,reset-after=3s,duration=30s"])
        let run = try runStep("obm-sync-creds", ["--host", bmc.host, "--dry-run"], environment: env.merging(["LOG_LEVEL": "info"]) { $1 })
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "would-sync")
        #expect(run.stderr.contains("dry run: would set the password of root (/redfish/v1/AccountService/Accounts/2)"))
        #expect(try bmc.accepts(user: "root", password: Self.factory), "nothing changed")
        try expectClean(bmc, run, passwords: [Self.record, Self.factory])
    }

    @Test func unreachableBMCIsTransientAndSpendsNoPassword() throws {
        let env = ["OBM_USERNAME": "root", "OBM_PASSWORD": Self.record, "OBM_LEGACY_PASSWORDS": "[\"xx-1\"]"]
        let run = try runStep("obm-sync-creds", ["--host", "127.0.0.1:\(closedPort())"], environment: env)
        #expect(run.status == 75, "\(run)")
        #expect(run.stderrLines.last?.contains("cannot connect to") == true)
        #expect(!run.everything.contains(Self.record))
    }

    @Test func aCertificateThatFailsIsRefusedUnlessVerificationIsOff() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"])
        var env = bmc.environment(password: Self.record)
        env["OBM_CA_FILE"] = nil
        let strict = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("failed verification"))
        let relaxed = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env.merging(["OBM_TLS_VERIFY": "false"]) { $1 })
        #expect(relaxed.status == 0, "\(relaxed)")
        try expectClean(bmc, relaxed, passwords: [Self.record])
    }

    @Test func basicAuthWhereTheBMCOffersNoSessions() throws {
        let bmc = try SimulatedBMC.start(
            personality: "dmtf", accounts: ["root:\(Self.factory)"], extra: ["--no-sessions", "--account-threshold", "3"])
        let run = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: bmc.environment(password: Self.record, legacy: [Self.factory]))
        #expect(run.status == 0, "\(run)")
        #expect(try bmc.accepts(user: "root", password: Self.record))
        #expect(try bmc.state().attempts.filter { $0.outcome == "refused" }.count == 1, "one wrong password, one failed login")
        try expectClean(bmc, run, passwords: [Self.record, Self.factory])
    }

    @Test func sigtermInTheMiddleDeletesTheSession() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.factory)"])
        try bmc.slowDown("/redfish/v1/AccountService/Accounts/", milliseconds: 400)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path("obm-sync-creds"))
        process.arguments = ["--host", bmc.host]
        var env = bmc.environment(
            password: Self.record, legacy: [Self.factory], extra: ["OBM_LOCKOUT_POLICY": "threshold=3,reset-after=3s,duration=30s"])
        env["OUTPUTS_DIR"] = FileManager.default.temporaryDirectory.appendingPathComponent("sigterm-\(UUID())").path
        process.environment = env
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var open = 0
        for _ in 0..<100 where open == 0 {
            usleep(50_000)
            open = try bmc.state().sessions
        }
        #expect(open == 1, "the step holds a session while it walks the accounts")
        process.terminate()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Nothing that changes the BMC had been sent: Argo may retry (contract.md, Exit status).
        #expect(process.terminationStatus == 75)
        let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
        // Which GET of the AccountService or its accounts the signal finds next depends on when
        // it lands (on a loaded machine, before the slowed accounts walk has begun).
        #expect(
            last.hasPrefix(
                "obm-sync-creds: stopped by SIGTERM: nothing that changes anything had been sent; BMC: request to \(bmc.url)/redfish/v1/AccountService"
            ), "\(stderr)")
        #expect(last.hasSuffix("stopped: not sent: the step is stopping (SIGTERM)"), "\(stderr)")
        #expect(try bmc.state().sessions == 0)
        #expect(try bmc.accepts(user: "root", password: Self.factory), "stopped before any change")
        #expect(!stderr.contains(Self.factory) && !stderr.contains(Self.record))
    }

    @Test func badSettingsAreExit64() throws {
        let base = ["OBM_USERNAME": "root", "OBM_PASSWORD": Self.record]
        let cases: [([String], [String: String], String)] = [
            (["--host", "127.0.0.1"], ["OBM_USERNAME": "root"], "OBM_PASSWORD is not set"),
            (
                ["--host", "127.0.0.1"], base.merging(["OBM_LEGACY_PASSWORDS": "calvin"]) { $1 },
                "OBM_LEGACY_PASSWORDS is not a JSON list of strings"
            ),
            (["--host", "https://bmc/redfish"], base, "is not an address or host name"),
            (["--host", "127.0.0.1"], base.merging(["OBM_LOCKOUT_POLICY": "threshold=three"]) { $1 }, "OBM_LOCKOUT_POLICY"),
            (["--host", "127.0.0.1"], base.merging(["OBM_TLS_VERIFY": "maybe"]) { $1 }, "OBM_TLS_VERIFY"),
        ]
        for (arguments, env, text) in cases {
            let run = try runStep("obm-sync-creds", arguments, environment: env)
            #expect(run.status == 64, "\(arguments) \(env.keys.sorted()): \(run)")
            #expect(run.stderrLines.count == 1 && run.stderr.contains(text), "\(run)")
            #expect(!run.everything.contains(Self.record))
        }
    }
}
