import Foundation
import StepTesting
import Testing

/// The BMC steps when an answer is lost after the BMC acted, or the BMC's address redirects a
/// request that carries a password: a change is never reported as not sent, a login is never
/// sent elsewhere (contract.md, Exit status and Security).
@Suite(.stopsSimulators) struct BMCRequestFaultTests {
    static let record = "Record-Passw0rd-2026"
    static let factory = "calvin-factory"
    static let sessions = "/redfish/v1/SessionService/Sessions"

    @Test func aLoginWhoseAnswerIsLostCountsAsAFailedLoginAndIsTransient() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.factory)"])
        try bmc.loseAnswers(Self.sessions, status: 502)
        let run = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: bmc.environment(password: Self.record, legacy: [Self.factory]))
        #expect(run.status == 75, "\(run)")
        #expect(
            run.stderrLines.last
                == "obm-sync-creds: BMC: the answer to the login as root at \(bmc.url)\(Self.sessions) was lost after it was sent (a gateway answered HTTP 502); counted as one failed login, nothing was changed"
        )
        let state = try bmc.state()
        #expect(state.attempts.map(\.outcome) == ["refused"], "no legacy password tried after a lost answer")
        #expect(state.lockouts == 0 && state.sessions == 0)
        #expect(!run.everything.contains(Self.record) && !run.everything.contains(Self.factory))
    }

    @Test func aPatchAppliedButUnansweredIsReportedAsUnknown() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.factory)"])
        // The BMC applies the PATCH; the answer that reaches the step is a gateway's 502.
        try bmc.loseAnswers("/redfish/v1/AccountService/Accounts/", method: "PATCH", status: 502)
        let env = bmc.environment(password: Self.record, legacy: [Self.factory])
        let run = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env)
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last?.hasSuffix(
                "a gateway answered HTTP 502; the request was sent in full, so whether it was applied is unknown (not retried)") == true,
            "\(run)")
        #expect(run.output("status") == nil)
        #expect(try bmc.accepts(user: "root", password: Self.record), "the BMC did change the password")
        #expect(try bmc.state().sessions == 0, "the session is ended on this way out too")
    }

    @Test func aRedirectedLoginIsRefusedAndThePasswordGoesNowhereElse() throws {
        let elsewhere = try ScriptedSocketServer { _, _, _ in .respond(status: 201, headers: [("X-Auth-Token", "stolen")]) }
        defer { elsewhere.stop() }
        for status in [307, 308] {
            let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"])
            try bmc.redirect(Self.sessions, status: status, to: elsewhere.baseURL + "/steal")
            let run = try runStep("obm-sync-creds", ["--host", bmc.host], environment: bmc.environment(password: Self.record))
            #expect(run.status == 1, "\(run)")
            #expect(
                run.stderrLines.last
                    == "obm-sync-creds: BMC: \(bmc.url)\(Self.sessions) answered with a redirect, never followed for a request carrying credentials: HTTP \(status) to \(elsewhere.baseURL)/steal"
            )
            #expect(try bmc.state().attempts.isEmpty)
        }
        #expect(elsewhere.requests.isEmpty, "no login reached the other server")
    }
}

/// obm-firmware-update when the BMC took the update but its answer was lost.
@Suite(.stopsSimulators) struct FirmwareUpdateFaultTests {
    static let record = "Record-Passw0rd-2026"

    @Test func anUpdateWhoseAnswerIsLostIsExit1AndSentOnce() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("bmc-7.10.bin", bytes: 200_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"])
        try bmc.loseAnswers("/redfish/v1/UpdateService/Actions/", method: "POST", status: 504)
        let run = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", image.url, "--poll-interval", "0.2", "--timeout", "20s"],
            environment: bmc.environment(password: Self.record))
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last?.hasSuffix(
                "a gateway answered HTTP 504; the request was sent in full, so whether it was applied is unknown (not retried)") == true,
            "\(run)")
        #expect(try bmc.images().map(\.method) == ["simple"], "the BMC took the update exactly once")
        #expect(try bmc.state().sessions == 0)
        #expect(!run.everything.contains(Self.record))
    }
}

/// Every way out of obm-sync-creds ends the sessions it opened: a BMC has few session slots.
@Suite(.stopsSimulators) struct SyncSessionTests {
    @Test func aRefusedRequiredPasswordChangeEndsItsSession() throws {
        // The BMC wants at least 8 characters: the record's "Short-1" is refused, run after run.
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:calvin-factory:change"])
        for _ in 1...5 {
            let run = try runStep(
                "obm-sync-creds", ["--host", bmc.host], environment: bmc.environment(password: "Short-1", legacy: ["calvin-factory"]))
            #expect(run.status == 1, "\(run)")
            #expect(
                run.stderrLines.last?.hasPrefix("obm-sync-creds: BMC refused PATCH /redfish/v1/AccountService/Accounts/") == true, "\(run)")
            #expect(run.stderrLines.last?.contains("at least 8 characters") == true, "\(run)")
            #expect(try bmc.state().sessions == 0, "a session was left open")
        }
    }
}

/// A credential too short to be masked in logs is refused before it is used, naming the setting.
@Suite(.stopsSimulators) struct ShortCredentialTests {
    @Test func shortPasswordsAreBadInputNamingTheSettingNotTheValue() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:Record-Passw0rd-2026"])
        let cases: [(String, [String: String], String)] = [
            ("obm-sync-creds", bmc.environment(password: "abc"), "OBM_PASSWORD is shorter than 4 characters"),
            (
                "obm-sync-creds", bmc.environment(password: "Record-Passw0rd-2026", legacy: ["calvin-0", "xy"]),
                "OBM_LEGACY_PASSWORDS item 2 is shorter than 4 characters"
            ),
            ("obm-firmware-update", bmc.environment(password: "abc"), "OBM_PASSWORD is shorter than 4 characters"),
        ]
        for (step, environment, message) in cases {
            var arguments = ["--host", bmc.host]
            if step == "obm-firmware-update" { arguments += ["--firmware-url", "https://files.example/bmc.bin"] }
            let run = try runStep(step, arguments, environment: environment)
            #expect(run.status == 64, "\(run)")
            #expect(run.stderrLines.last == "\(step): \(message), too short to be kept out of logs; refused")
        }
        #expect(try bmc.state().attempts.isEmpty, "nothing was tried")
    }
}

/// AccountService lockout figures are read for what they can mean, never trusted to be small.
@Suite(.stopsSimulators) struct AccountServiceBoundsTests {
    static let record = "Record-Passw0rd-2026"

    func sync(_ members: String, legacy: [String], accounts: [String]) throws -> (StepRun, SimulatedBMC) {
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: accounts, extra: ["--account-threshold", "3"])
        try bmc.overrideAccountService(members)
        let run = try runStep(
            "obm-sync-creds", ["--host", bmc.host],
            environment: bmc.environment(password: Self.record, legacy: legacy).merging(["LOG_LEVEL": "info"]) { $1 })
        return (run, bmc)
    }

    @Test(arguments: [
        #"{"AccountLockoutThreshold": 3, "AccountLockoutCounterResetAfter": 1e999}"#,
        #"{"AccountLockoutThreshold": 3, "AccountLockoutCounterResetAfter": 4294967295}"#,
    ])
    func aResetTooFarAwayStopsTheLegacyPasswordsInsteadOfSleeping(members: String) throws {
        let (run, bmc) = try sync(members, legacy: ["wrong-one", "wrong-two", "calvin-factory"], accounts: ["root:calvin-factory"])
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last
                == "obm-sync-creds: the BMC's policy (threshold=3,reset-after=never,duration=1.5s (the BMC's AccountService)) would need a wait of forever before the next attempt, longer than the 1500 s this step may wait: not trying legacy password #2 for root"
        )
        #expect(try bmc.state().attempts.map(\.outcome) == ["refused", "refused"])
        #expect(try bmc.state().lockouts == 0)
    }

    @Test func anAbsurdDurationIsNoCrash() throws {
        let (run, bmc) = try sync(
            #"{"AccountLockoutThreshold": 3, "AccountLockoutCounterResetAfter": 1, "AccountLockoutDuration": 1e19}"#,
            legacy: ["calvin-factory"], accounts: ["root:calvin-factory"])
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "synced")
        #expect(run.stderr.contains("failed-login policy threshold=3,reset-after=1s,duration=never (the BMC's AccountService)"))
        #expect(try bmc.accepts(user: "root", password: Self.record))
    }

    @Test func aCounterThatNeverResetsAllowsThresholdMinusOneFailures() throws {
        let (run, bmc) = try sync(
            #"{"AccountLockoutThreshold": 3, "AccountLockoutCounterResetAfter": 1, "AccountLockoutCounterResetEnabled": false}"#,
            legacy: ["wrong-one", "calvin-factory"], accounts: ["root:calvin-factory"])
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last
                == "obm-sync-creds: the BMC's failed-login count never resets by time (AccountLockoutCounterResetEnabled false) and 2 of the 2 failures it allows before locking stand: not trying legacy password #2 for root"
        )
        #expect(try bmc.state().attempts.map(\.outcome) == ["refused", "refused"])
        #expect(try bmc.accepts(user: "root", password: "calvin-factory"), "nothing changed")
    }
}

/// With basic authentication only, a password is checked where the BMC demands one.
@Suite(.stopsSimulators) struct BasicAuthProbeTests {
    @Test func aWrongPasswordIsNotInSyncOnABMCThatServesItsAccountServiceToAnyone() throws {
        // DMTF serves its AccountService without credentials; with no SessionService the check
        // must go to a resource that refuses anonymous requests (its Managers).
        let bmc = try SimulatedBMC.start(
            personality: "dmtf", accounts: ["root:something-else"], extra: ["--no-sessions", "--account-threshold", "3"])
        let run = try runStep(
            "obm-sync-creds", ["--host", bmc.host],
            environment: bmc.environment(password: "Record-Passw0rd-2026").merging(["LOG_LEVEL": "info"]) { $1 })
        #expect(run.status == 1, "\(run)")
        #expect(run.output("status") == nil)
        #expect(run.stderr.contains("using basic authentication, checked on /redfish/v1/Managers"), "\(run)")
        #expect(
            run.stderrLines.last
                == "obm-sync-creds: none of the 1 passwords tried (the one on record and 0 legacy) was accepted by the BMC; 1 failed logins, paced to stay under the lockout threshold"
        )
    }

    @Test func theRightPasswordIsInSyncWithBasicAuthentication() throws {
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:Record-Passw0rd-2026"], extra: ["--no-sessions"])
        let run = try runStep("obm-sync-creds", ["--host", bmc.host], environment: bmc.environment(password: "Record-Passw0rd-2026"))
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "in-sync")
    }
}

/// obm-firmware-update's logins after the first, and its deadline.
@Suite(.stopsSimulators) struct FirmwareUpdateLoginAndDeadlineTests {
    static let record = "Record-Passw0rd-2026"

    @Test func aPasswordChangedDuringTheUpdateCostsOneRefusedLoginNotAStorm() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("bmc-7.10.bin", bytes: 100_000)
        let bmc = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.record)"],
            extra: ["--task-seconds", "3", "--reboot-during-update", "--password-after-reboot", "root:calvin-reset"])
        let run = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", image.url, "--poll-interval", "0.1", "--timeout", "20s"],
            environment: bmc.environment(password: Self.record).merging(["LOG_LEVEL": "info"]) { $1 })
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last?.hasPrefix(
                "obm-firmware-update: the BMC refused the credentials on record for root when logging in again during the update (HTTP 401")
                == true, "\(run)")
        #expect(
            run.stderrLines.last?.hasSuffix("not trying again, to stay clear of a lockout: the update's outcome is unknown, check the BMC")
                == true)
        let attempts = try bmc.state().attempts.map(\.outcome)
        #expect(attempts.filter { $0 == "refused" }.count == 1, "one refused re-login, not one per poll: \(attempts)")
        #expect(run.stderr.contains("logging in again (the BMC ended the session, likely a reboot)"))
        #expect(try bmc.state().lockouts == 0)
    }

    @Test func aHangingTaskPollEndsAtTheDeadline() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("bmc-7.10.bin", bytes: 100_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"], extra: ["--task-seconds", "60"])
        try bmc.slowDown("/redfish/v1/TaskService/Tasks/", milliseconds: 120_000)
        // Before, each poll had its own 120 s request timeout and four tries: minutes, not 3 s.
        let run = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", image.url, "--poll-interval", "0.2", "--timeout", "3s"],
            environment: bmc.environment(password: Self.record), timeout: 30)
        #expect(run.status == 1, "\(run)")
        #expect(try bmc.state().sessions == 0)
    }

    @Test func pollIntervalsUnder50msAreBadInput() throws {
        let run = try runStep(
            "obm-firmware-update",
            ["--host", "127.0.0.1:1", "--firmware-url", "https://files.example/x.bin", "--poll-interval", "0.000001"],
            environment: ["OBM_USERNAME": "root", "OBM_PASSWORD": Self.record])
        #expect(run.status == 64)
        #expect(run.stderrLines.last == "obm-firmware-update: --poll-interval must be between 0.05 and 600 seconds")
    }

    @Test func aDryRunThatCannotResolveTheImageHostIsTransient() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"])
        let run = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", "https://no-such-host.invalid/bmc.bin", "--dry-run"],
            environment: bmc.environment(password: Self.record))
        #expect(run.status == 75, "\(run)")
        #expect(
            run.stderrLines.last?.hasPrefix(
                "obm-firmware-update: dry run: the firmware image cannot be checked: cannot resolve the host of https://no-such-host.invalid/bmc.bin"
            ) == true, "\(run)")
        #expect(run.output("status") == nil)
        #expect(try bmc.state().sessions == 0)
    }
}
