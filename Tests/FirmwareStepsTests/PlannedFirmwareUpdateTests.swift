import Foundation
import JSON
import StepTesting
import Synchronization
import Testing

/// `obm-firmware-update --plan`: the BMC component's image from firmware-plan's output, its
/// checksum verified while it streams (the BMC never has a wrong image whole), and success only
/// when the firmware inventory shows the plan's target afterwards.
@Suite(.stopsSimulators) struct PlannedFirmwareUpdateTests {
    static let password = "Record-Passw0rd-2026"
    static let idrac = "Integrated Dell Remote Access Controller"

    static func plan(
        current: String = "7.00.60.00", target: String = "7.10.30.00", action: String = "update", url: String?, checksum: String?,
        algorithm: String? = "sha256", size: Int? = nil
    ) -> String {
        let image: JSONValue = [
            "url": url.map { .string($0) } ?? nil, "checksum": checksum.map { .string($0) } ?? nil,
            "algorithm": algorithm.map { .string($0) } ?? nil, "size": size.map { .integer($0) } ?? nil,
        ]
        let bmc: JSONValue = [
            "name": .string(idrac), "kind": "bmc", "current": .string(current), "target": .string(target), "action": .string(action),
            "image": action == "none" ? nil : image,
        ]
        return JSONValue.object([
            JSONMember("hostname", "host1.domain.local"), JSONMember("verdict", action == "none" ? "compliant" : "outdated"),
            JSONMember("components", [bmc]),
        ]).serialized
    }

    func update(_ bmc: SimulatedBMC, plan: String, _ extra: [String] = []) throws -> StepRun {
        try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--plan", plan, "--poll-interval", "0.2", "--timeout", "20s"] + extra,
            environment: bmc.environment(password: Self.password).merging(["LOG_LEVEL": "info"]) { $1 })
    }

    /// An iDRAC whose SimpleUpdate takes no HTTP would otherwise fetch the image itself: with a
    /// checksum the image is pushed (multipart), verified, and the inventory confirms the target.
    @Test func aVerifiedImageIsPushedAndTheInventoryConfirmsTheTarget() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("firmimgFIT.d9", bytes: 3_000_001)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        let run = try update(bmc, plan: Self.plan(url: image.url, checksum: try files.digest("firmimgFIT.d9"), size: 3_000_001))
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "Completed")
        #expect(run.stderr.contains("method multipart: the image is verified as it streams"), "\(run)")
        #expect(run.stderr.contains("the firmware inventory shows the target 7.10.30.00; firmware 7.00.60.00 → 7.10.30.00"), "\(run)")
        let received = try #require(try bmc.images().first)
        #expect(received.method == "multipart" && received.bytes == 3_000_001 && received.fnv1a == image.fnv1a)
        #expect(try bmc.state().sessions == 0 && !run.everything.contains(Self.password))
    }

    @Test(arguments: ["sha256", "sha512"])
    func anImageThatIsNotTheOneOnRecordNeverReachesTheBMCWhole(algorithm: String) throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("firmimgFIT.d9", bytes: 2_500_000)
        let other = try files.image("other.d9", bytes: 64)
        let wrong = try files.digest("other.d9", algorithm: algorithm)
        _ = other
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        let run = try update(bmc, plan: Self.plan(url: image.url, checksum: wrong, algorithm: algorithm))
        #expect(run.status == 1, "\(run)")
        let actual = try files.digest("firmimgFIT.d9", algorithm: algorithm)
        let last = try #require(run.stderrLines.last)
        #expect(
            last.hasPrefix(
                "obm-firmware-update: firmware image: the image from \(image.url) is not the one on record: its \(algorithm) is \(actual), not \(wrong) as on record; the upload was cut "
            ), "\(run)")
        #expect(last.hasSuffix(" bytes short of its end, so the receiver never had it whole; nothing was applied"), "\(run)")
        #expect(try bmc.images().isEmpty, "the BMC has no image")
        #expect(try bmc.firmwareVersion() == "7.00.60.00")
        #expect(run.output("status") == nil)
        #expect(try bmc.state().sessions == 0)
    }

    @Test func aSpooledImageIsVerifiedBeforeAByteIsSent() throws {
        let files = try SimulatedFiles.start(noLength: true)
        let image = try files.image("firmimgFIT.d9", bytes: 1_000_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        let wrong = String(repeating: "ab", count: 32)
        let run = try update(bmc, plan: Self.plan(url: image.url, checksum: wrong))
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("spooling firmimgFIT.d9 to disk first"))
        #expect(
            run.stderrLines.last?.hasSuffix("not \(wrong) as on record; not a byte of it was sent; nothing was applied") == true, "\(run)")
        #expect(try bmc.images().isEmpty)
        let right = try update(bmc, plan: Self.plan(url: image.url, checksum: try files.digest("firmimgFIT.d9")))
        #expect(right.status == 0, "\(right)")
        #expect(try bmc.images().first?.fnv1a == image.fnv1a)
    }

    @Test func aBMCAlreadyAtTheTargetIsNotFlashedAgain() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("firmimgFIT.d9", bytes: 100_000)
        let bmc = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--firmware-version", "7.10.30.00"])
        // A retry in a new pod after the first one flashed: the plan still says update.
        let run = try update(bmc, plan: Self.plan(url: image.url, checksum: try files.digest("firmimgFIT.d9")))
        #expect(run.status == 0, "\(run)")
        #expect(run.output("status") == "UpToDate")
        #expect(run.stderr.contains("the BMC already runs the plan's target 7.10.30.00: nothing sent"), "\(run)")
        #expect(try bmc.images().isEmpty)
        // A plan that says none does not even log in.
        let none = try update(bmc, plan: Self.plan(current: "7.10.30.00", action: "none", url: nil, checksum: nil))
        #expect(none.status == 0 && none.output("status") == "UpToDate", "\(none)")
        #expect(try bmc.state().attempts.count == 1)
    }

    /// Two workflows with the same plan reach one BMC at once: the change Lease lets one flash;
    /// the other, once it holds the Lease, finds the target running and sends nothing.
    @Test func twoWorkflowsWithOnePlanFlashTheBMCOnce() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("firmimgFIT.d9", bytes: 500_000)
        let bmc = try SimulatedBMC.start(
            personality: "idrac9", accounts: ["root:\(Self.password)"], extra: ["--task-seconds", "2", "--session-limit", "8"])
        let kube = try SimulatedKubernetes.start()
        let plan = Self.plan(url: image.url, checksum: try files.digest("firmimgFIT.d9"))
        let runs = Mutex<[StepRun]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let environment = bmc.environment(password: Self.password).merging(kube.stepEnvironment) { $1 }
                .merging(["LOG_LEVEL": "info", "HOSTNAME": "update-pod-\(index)"]) { $1 }
            if let run = try? runStep(
                "obm-firmware-update", ["--host", bmc.host, "--plan", plan, "--poll-interval", "0.2", "--timeout", "60s"],
                environment: environment)
            {
                runs.withLock { $0.append(run) }
            }
        }
        let done = runs.withLock { $0 }
        #expect(done.count == 2)
        #expect(done.allSatisfy { $0.status == 0 }, "\(done)")
        #expect(done.compactMap { $0.output("status") }.sorted() == ["Completed", "UpToDate"], "\(done)")
        #expect(try bmc.images().count == 1, "one flash")
    }

    @Test func aCompletedTaskWithoutTheTargetInTheInventoryIsNoSuccess() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("firmimgFIT.d9", bytes: 100_000)
        // The BMC flashes 7.10.30.00 whatever it is sent; the plan wanted 7.20.10.00.
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        let run = try update(bmc, plan: Self.plan(target: "7.20.10.00", url: image.url, checksum: try files.digest("firmimgFIT.d9")))
        #expect(run.status == 1, "\(run)")
        #expect(run.output("status") == "Completed", "the task's own state, as always")
        #expect(
            run.stderrLines.last?.contains(
                "the update task ended Completed, but the BMC's firmware inventory reports 7.10.30.00 for it, not the plan's target 7.20.10.00"
            )
                == true, "\(run)")
    }

    @Test func anImageThatCannotBeVerifiedIsRefusedUnlessAllowed() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("firmimgFIT.d9", bytes: 100_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        let md5 = try update(bmc, plan: Self.plan(url: image.url, checksum: String(repeating: "0", count: 32), algorithm: "md5"))
        #expect(md5.status == 64)
        #expect(
            md5.stderrLines.last
                == "obm-firmware-update: the plan for host1.domain.local: \(Self.idrac): the image cannot be verified (its checksum is md5; sha256 or sha512 is needed); --allow-unverified installs it anyway"
        )
        let none = try update(bmc, plan: Self.plan(url: image.url, checksum: nil, algorithm: nil))
        #expect(none.status == 64 && none.stderr.contains("(it has no checksum; sha256 or sha512 is needed)"), "\(none)")
        #expect(try bmc.state().attempts.isEmpty, "refused before any login")
        let allowed = try update(bmc, plan: Self.plan(url: image.url, checksum: nil, algorithm: nil), ["--allow-unverified"])
        #expect(allowed.status == 0, "\(allowed)")
        #expect(allowed.stderr.contains("installing an image that is not verified (--allow-unverified)"))
        let both = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--plan", "{}", "--firmware-url", image.url],
            environment: bmc.environment(password: Self.password))
        #expect(both.status == 64 && both.stderrLines.last == "obm-firmware-update: give --firmware-url or --plan, not both")
    }

    @Test func simpleUpdateWithAPlanOnlyWhenForcedAndSaidUnverified() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("firmimgFIT.d9", bytes: 100_000)
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.password)"])
        let run = try update(bmc, plan: Self.plan(url: image.url, checksum: try files.digest("firmimgFIT.d9")), ["--method", "simple"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("warning: unverified: with SimpleUpdate the BMC fetches the image itself"), "\(run)")
        #expect(try bmc.images().map(\.method) == ["simple"])
    }
}
