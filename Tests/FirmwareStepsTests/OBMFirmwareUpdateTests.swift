import Foundation
import StepTesting
import Testing

/// `obm-firmware-update` against simulated BMCs and image servers: every method, every outcome.
@Suite(.stopsSimulators) struct OBMFirmwareUpdateTests {
    static let password = "Record-Passw0rd-2026"

    func environment(_ bmc: SimulatedBMC, extra: [String: String] = [:]) -> [String: String] {
        bmc.environment(password: Self.password).merging(["LOG_LEVEL": "info"]) { $1 }.merging(extra) { $1 }
    }

    func update(_ bmc: SimulatedBMC, _ url: String, _ extra: [String] = [], env: [String: String] = [:]) throws -> StepRun {
        try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", url, "--poll-interval", "0.2", "--timeout", "20s"] + extra,
            environment: environment(bmc, extra: env))
    }

    func expectClean(_ bmc: SimulatedBMC, _ run: StepRun) throws {
        #expect(try bmc.state().sessions == 0, "sessions left open")
        #expect(!run.everything.contains(Self.password))
    }

    @Test func iDRACFetchesTheImageItselfWithSimpleUpdate() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("bmc-7.10.bin", bytes: 2_000_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        let run = try update(bmc, image.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "Completed")
        #expect(run.stderr.contains("method simple"))
        #expect(run.stderr.contains("firmware 7.00.60.00 → 7.10.30.00"), "\(run)")
        #expect(try bmc.images().map(\.method) == ["simple"])
        #expect(try bmc.images().first?.fnv1a == image.fnv1a)
        try expectClean(bmc, run)
    }

    @Test func multipartIsStreamedWithAnExactLength() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("bmc.bin", bytes: 3_000_001)
        // SimpleUpdate takes no HTTP here: the standard multipart form is next.
        let bmc = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--simple-protocols", "NFS,CIFS"])
        let run = try update(bmc, image.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("method multipart"))
        #expect(run.stderr.contains("streaming bmc.bin (3000001 bytes)"))
        let received = try #require(try bmc.images().first)
        #expect(received.method == "multipart" && received.bytes == 3_000_001 && received.fnv1a == image.fnv1a && !received.chunked)
        try expectClean(bmc, run)
    }

    @Test func aServerWithoutLengthIsSpooledFirstBecauseIDRACRefusesChunked() throws {
        let files = try SimulatedFiles.start(noLength: true)
        let image = try files.image("bmc.bin", bytes: 1_500_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        let run = try update(bmc, image.url, ["--method", "multipart"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("spooling bmc.bin to disk first"))
        #expect(try bmc.images().first?.fnv1a == image.fnv1a)
        // The simulator holds iDRAC's line: a chunked upload is refused.
        let chunked = try runProcess(
            "/usr/bin/curl",
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", bmc.caFile, "-H", "Transfer-Encoding: chunked", "-H",
                "X-Auth-Token: x", "--data-binary", "@/etc/hostname",
                bmc.url + "/redfish/v1/UpdateService/MultipartUpload",
            ], environment: [:])
        #expect(chunked.stdout == "401" || chunked.stdout == "411")
        try expectClean(bmc, run)
    }

    @Test func iLOPushUsesItsOwnFormWithTheSessionKey() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("ilo5_246.bin", bytes: 1_000_000)
        let bmc = try SimulatedBMC.start(personality: "ilo5", accounts: ["Administrator:admin-pass-1", "root:\(Self.password)"])
        let run = try update(bmc, image.url, ["--method", "push"])
        #expect(run.status == 0, "\(run)")
        let received = try #require(try bmc.images().first)
        #expect(received.method == "push" && received.fnv1a == image.fnv1a)
        try expectClean(bmc, run)
    }

    @Test func dmtfReadsSimpleUpdateProtocolsFromItsActionInfo() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("fw.bin", bytes: 500_000)
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:\(Self.password)"])
        let run = try update(bmc, image.url, ["--dry-run"])
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "DryRun")
        #expect(run.stderr.contains("method simple"))
        #expect(run.stderr.contains("would update by simple with fw.bin, 500000 bytes"))
        #expect(try bmc.images().isEmpty, "a dry run changes nothing")
        let pushed = try update(bmc, image.url, ["--method", "push"])
        #expect(pushed.status == 0, "\(pushed)")
        #expect(try bmc.images().first?.fnv1a == image.fnv1a)
        try expectClean(bmc, pushed)
    }

    @Test func aTaskThatEndsInExceptionIsAFailureWithTheBMCsMessage() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("bad.bin", bytes: 100_000)
        let bmc = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--update-outcome", "exception"])
        let run = try update(bmc, image.url)
        #expect(run.status == 1)
        #expect(run.output("status") == "Exception", "the status is written on failure too")
        #expect(
            run.stderrLines.last?.contains("the update task ended Exception (TaskStatus Critical): Firmware image verification failed")
                == true, "\(run)")
        #expect(!run.stdout.lowercased().contains("complete"))
        try expectClean(bmc, run)
    }

    @Test func completedWithWarningIsASuccessWithTheWarningShown() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("fw.bin", bytes: 100_000)
        let bmc = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--update-outcome", "warning"])
        let run = try update(bmc, image.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("warning: the update completed with warnings: The update completed; a reset is recommended"))
        try expectClean(bmc, run)
    }

    @Test func anAcceptedUpdateThatDoesNothingIsNotASuccess() throws {
        // iLO accepts a .fwpkg through SimpleUpdate and never flashes it: no task, no new version.
        let files = try SimulatedFiles.start()
        let image = try files.image("ilo5_246.fwpkg", bytes: 100_000)
        let bmc = try SimulatedBMC.start(personality: "ilo5", accounts: ["root:\(Self.password)"], extra: ["--update-outcome", "ignore"])
        let run = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", image.url, "--poll-interval", "0.2", "--timeout", "2s"],
            environment: environment(bmc))
        #expect(run.status == 1, "\(run)")
        #expect(run.output("status") == "Unknown")
        #expect(run.stderr.contains("left no task, and FirmwareVersion is still 7.00.60.00"), "\(run)")
        try expectClean(bmc, run)
    }

    @Test func aVanishedTaskIsJudgedByTheFirmwareVersion() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("fw.bin", bytes: 100_000)
        let bmc = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--update-outcome", "vanish", "--task-seconds", "1"])
        let run = try update(bmc, image.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "Completed")
        #expect(run.stderr.contains("lost its task, but FirmwareVersion changed from 7.00.60.00 to 7.10.30.00"), "\(run)")
        try expectClean(bmc, run)
    }

    @Test func aRebootDuringTheUpdateIsRiddenOut() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("fw.bin", bytes: 100_000)
        let bmc = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--reboot-during-update", "--task-seconds", "6"])
        let run = try update(bmc, image.url)
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "Completed")
        #expect(run.stderr.contains("answered 503") || run.stderr.contains("it may be rebooting"), "the reboot was seen: \(run)")
        #expect(run.stderr.contains("logged in again"), "\(run)")
        try expectClean(bmc, run)
    }

    @Test func aDeadlineWithTheOutcomeUnknownIsExit1NotRetried() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("fw.bin", bytes: 100_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--task-seconds", "60"])
        let run = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", image.url, "--poll-interval", "0.2", "--timeout", "2s"],
            environment: environment(bmc))
        #expect(run.status == 1, "\(run)")
        #expect(run.output("status") == "Running")
        #expect(run.stderr.contains("the outcome is still unknown after 2 s"))
        try expectClean(bmc, run)
    }

    @Test func preflightDisabledServiceAndBusyBMC() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("fw.bin", bytes: 1000)
        let disabled = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--update-service-disabled"])
        let off = try update(disabled, image.url)
        #expect(off.status == 1)
        #expect(off.stderr.contains("UpdateService is disabled (ServiceEnabled false)"))
        let busy = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        try busy.makeBusy()
        let run = try update(busy, image.url)
        #expect(run.status == 75, "\(run)")
        #expect(run.stderr.contains("the BMC is busy: an update task is already running"))
        #expect(try busy.images().isEmpty)
        try expectClean(disabled, off)
        try expectClean(busy, run)
    }

    @Test func theImageServersCertificateIsVerified() throws {
        let files = try SimulatedFiles.start(tls: true)
        let image = try files.image("fw.bin", bytes: 200_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--simple-protocols", "NFS"])
        let untrusted = try update(bmc, image.url)
        #expect(untrusted.status == 1, "\(untrusted)")
        #expect(untrusted.stderr.contains("failed verification"))
        #expect(try bmc.images().isEmpty)
        let trusted = try update(bmc, image.url, env: ["FIRMWARE_CA_FILE": files.caFile ?? ""])
        #expect(trusted.status == 0, "\(trusted)")
        #expect(try bmc.images().first?.fnv1a == image.fnv1a)
        try expectClean(bmc, trusted)
    }

    @Test func onlyHTTPAndHTTPSImagesAreTaken() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        for url in [
            "file:///var/run/secrets/kubernetes.io/serviceaccount/token", "ftp://127.0.0.1/fw.bin", "gopher://x/", "/etc/passwd",
            "https://",
        ] {
            let run = try update(bmc, url)
            #expect(run.status == 64, "\(url): \(run)")
            #expect(run.stderrLines.count == 1)
        }
        let badMethod = try update(bmc, "https://x/fw.bin", ["--method", "tftp"])
        #expect(badMethod.status == 64)
        let badTimeout = try update(bmc, "https://x/fw.bin", ["--timeout", "soon"])
        #expect(badTimeout.status == 64)
        #expect(try bmc.state().attempts.isEmpty, "bad input never reaches the BMC")
    }
}
