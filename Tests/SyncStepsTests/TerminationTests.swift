import Foundation
import StepTesting
import Testing

/// SIGTERM (Argo's deadline, `argo stop`, a drained node) stops the work: no new request but
/// deleting sessions, an upload in flight cut so the BMC never gets its last bytes, and an exit
/// status that never invites a retry once a change went out. Checked on the simulator's side.
@Suite(.stopsSimulators) struct TerminationTests {
    static let record = "Record-Passw0rd-2026"

    @Test func anUploadInFlightIsCutAndNothingIsApplied() throws {
        let files = try SimulatedFiles.start(bytesPerSecond: 200_000)
        let image = try files.image("bmc.bin", bytes: 2_000_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"])
        let step = try RunningStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", image.url, "--method", "multipart", "--timeout", "60s"],
            environment: bmc.environment(password: Self.record))
        Thread.sleep(forTimeInterval: 2)  // logged in, the 10 s upload under way
        step.signal()
        let run = try step.wait(timeout: 20)
        #expect(run.status == 75, "nothing reached the BMC in full: \(run)")
        #expect(
            run.stderrLines.last
                == "obm-firmware-update: stopped by SIGTERM: nothing that changes anything had been sent; BMC: request to \(bmc.url)/redfish/v1/UpdateService/MultipartUpload stopped: cut short: the step is stopping (SIGTERM)"
        )
        #expect(try bmc.images().isEmpty, "the BMC never received a whole image")
        #expect(try bmc.state().sessions == 0)
        #expect(try bmc.firmwareVersion() == "7.00.60.00")
    }

    @Test func aSyncWaitingForTheLockoutWindowSendsNothingMore() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:calvin-factory"])
        let environment = bmc.environment(
            password: Self.record, legacy: ["wrong-one", "calvin-factory"],
            extra: ["OBM_LOCKOUT_POLICY": "threshold=3,reset-after=60s,duration=60s"])
        let step = try RunningStep("obm-sync-creds", ["--host", bmc.host], environment: environment)
        #expect(try eventually { try bmc.state().attempts.count == 2 }, "two refused logins, then a 60 s wait")
        step.signal()
        let run = try step.wait(timeout: 20)
        #expect(run.status == 75, "\(run)")
        #expect(
            run.stderrLines.last
                == "obm-sync-creds: stopped by SIGTERM: nothing that changes anything had been sent; SIGTERM received while waiting: nothing more was started"
        )
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try bmc.state().attempts.count == 2, "no login after the signal")
        #expect(try bmc.accepts(user: "root", password: "calvin-factory"), "nothing changed")
        #expect(try bmc.state().sessions == 0)
    }

    @Test func anAcceptedUpdateStoppedWhileFollowedIsExit1SayingSo() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("bmc.bin", bytes: 100_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"], extra: ["--task-seconds", "60"])
        let step = try RunningStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", image.url, "--poll-interval", "0.2", "--timeout", "60s"],
            environment: bmc.environment(password: Self.record))
        #expect(try eventually { try !bmc.images().isEmpty }, "the BMC took the update")
        Thread.sleep(forTimeInterval: 0.5)
        step.signal()
        let run = try step.wait(timeout: 20)
        #expect(run.status == 1, "a change went out: never 75: \(run)")
        #expect(
            run.stderrLines.last?.hasPrefix(
                "obm-firmware-update: stopped by SIGTERM: already sent: the simple update with bmc.bin (accepted); ") == true, "\(run)")
        #expect(try bmc.state().sessions == 0, "the session was deleted on the way out")
        #expect(try bmc.images().count == 1)
    }
}
