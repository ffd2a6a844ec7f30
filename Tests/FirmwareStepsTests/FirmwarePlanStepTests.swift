import Foundation
import JSON
import StepTesting
import Testing

/// firmware-plan driven as a process against each Nautobot (the simulator, and the real 3.2.7 in
/// CI, both loaded with fixtures/nautobot-inventory.json's baseline): the same plan from either.
@Suite(.stopsSimulators) struct FirmwarePlanStepTests {
    static let idrac = "Integrated Dell Remote Access Controller"

    /// get-firmware-inventory's output for an iDRAC 9 at 7.00.60.00 that was updated from 6.10.80.00
    /// (the simulator's members).
    static let dellInventory = inventory([
        ("Installed-25227-7.00.60.00", idrac, "7.00.60.00", "bmc"), ("Previous-25227-6.10.80.00", idrac, "6.10.80.00", "other"),
        ("Installed-159-1.6.5", "BIOS", "1.6.5", "bios"), ("Installed-27763-1.0.3", "System CPLD", "1.0.3", "cpld"),
    ])

    static func inventory(_ members: [(id: String, name: String, version: String, kind: String)]) -> String {
        let components = members.map { member -> JSONValue in
            [
                "id": .string(member.id), "name": .string(member.name), "version": .string(member.version), "updateable": nil,
                "kind": .string(member.kind), "path": .string("/redfish/v1/UpdateService/FirmwareInventory/" + member.id),
            ]
        }
        return JSONValue.object([JSONMember("components", .array(components))]).serialized
    }

    @Test(arguments: NautobotBackend.available)
    func aDellPlanTakesTheHighestActiveVersionAndItsDefaultImage(backend: NautobotBackend) throws {
        let run = try runStep(
            "firmware-plan", ["--hostname", "host1.domain.local", "--inventory", Self.dellInventory], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        let plan = try #require(run.output("plan"))
        #expect(
            plan
                == #"{"hostname":"host1.domain.local","verdict":"outdated","components":[{"name":"Integrated Dell Remote Access Controller","kind":"bmc","current":"7.00.60.00","target":"7.10.30.00","action":"update","image":{"url":"https://firmware.example/dell/idrac/7.10.30.00/firmimgFIT.d9","checksum":"895cf67497d48cb10567a7df1c48a8290322947d07afa946118147fda53cb5e4","algorithm":"sha256","size":230686720}},{"name":"BIOS","kind":"bios","current":"1.6.5","target":"1.8.2","action":"update-needs-reboot","image":{"url":"https://firmware.example/dell/bios/R650/1.8.2/BIOS_1.8.2.EXE","checksum":"271b6e958994d14463b218ab893dbfb33c3ada15ebde27a6344b8c16465a373297f2802ca4fefc9decebd10a817aa760ed4c63f7602f2a206ba9428225744cce","algorithm":"sha512","size":33554432}},{"name":"System CPLD","kind":"cpld","current":"1.0.3","target":null,"action":"no-baseline","image":null}]}"#,
            "\(run)")
        #expect(run.stdout == plan + "\n")
        #expect(run.output("bmc-action") == "update", "what a fleet's `when` compares")
        #expect(run.stderrLines == ["firmware-plan: info: host1.domain.local: outdated (1 update, 1 update-needs-reboot, 1 no-baseline)"])
        #expect(!run.everything.contains(backend.token))
    }

    @Test(arguments: NautobotBackend.available)
    func anHPEAtItsBaselineIsCompliantDatesAndROMFamiliesUnderstood(backend: NautobotBackend) throws {
        let inventory = Self.inventory([
            ("1", "iLO 5", "2.72 Sep 04 2022", "bmc"), ("2", "System ROM", "A43 v2.52 (10/29/2021)", "bios"),
            ("6", "Redundant System ROM", "A43 v2.40 (02/23/2021)", "other"), ("9", "TPM Firmware", "73.64", "other"),
        ])
        let run = try runStep(
            "firmware-plan", ["--hostname", "host2.domain.local", "--inventory", inventory, "--require-compliant"],
            environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        let plan = try JSONValue(parsing: run.output("plan") ?? "")
        #expect(plan["verdict"] == "compliant")
        #expect(plan["components"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["none", "none", "no-baseline", "no-baseline"])
        #expect(plan["components"]?.arrayValue?.first?["target"] == "2.72")
        #expect(run.output("bmc-action") == "none")
    }

    @Test(arguments: NautobotBackend.available)
    func aDeviceTypeWithoutImagesHasNoBaselineWhichIsNotCompliant(backend: NautobotBackend) throws {
        let inventory = Self.inventory([("BMC", "BMC Firmware", "1.74.11", "bmc")])
        let run = try runStep(
            "firmware-plan", ["--hostname", "host3.domain.local", "--inventory", inventory, "--require-compliant"],
            environment: backend.environment)
        #expect(run.status == 1, "\(run)")
        #expect(
            run.output("plan")
                == #"{"hostname":"host3.domain.local","verdict":"no-baseline","components":[{"name":"BMC Firmware","kind":"bmc","current":"1.74.11","target":null,"action":"no-baseline","image":null}]}"#
        )
        #expect(run.stderrLines.last == "firmware-plan: host3.domain.local is not compliant: no-baseline (--require-compliant)")
        #expect(run.output("bmc-action") == "no-baseline", "written with the plan, before --require-compliant fails")
    }

    @Test func anInventoryThatIsNotGetFirmwareInventorysOutputIsBadInput() throws {
        let backend = try SimulatedNautobot.shared()
        let run = try runStep(
            "firmware-plan",
            ["--hostname", "host1.domain.local", "--inventory", #"{"components":[{"id":"1","name":"iLO 5","version":"2.72"}]}"#],
            environment: backend.environment)
        #expect(run.status == 64, "\(run)")
        #expect(run.stderrLines == ["firmware-plan: --inventory is not get-firmware-inventory's output: components[0].kind is missing"])
        #expect(run.output("plan") == nil)
        let neither = try runStep("firmware-plan", ["--hostname", "host1.domain.local"], environment: backend.environment)
        #expect(neither.status == 64)
        #expect(
            neither.stderrLines == ["firmware-plan: give --inventory (get-firmware-inventory's output) or --host (the BMC to read it from)"]
        )
    }

    /// As Argo hands over an argument over 128 KiB, and as a person may write one by hand.
    @Test func theInventoryMayComeFromAFile() throws {
        let backend = try SimulatedNautobot.shared()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inventory-\(UUID().uuidString).json").path
        try Self.dellInventory.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try runStep(
            "firmware-plan", ["--hostname", "host1.domain.local", "--inventory", "@" + path], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        #expect(try JSONValue(parsing: run.output("plan") ?? "")["verdict"] == "outdated")
    }

    @Test func anUnknownDeviceIsNotFound() throws {
        let backend = try SimulatedNautobot.shared()
        let run = try runStep(
            "firmware-plan", ["--hostname", "nope.domain.local", "--inventory", Self.dellInventory], environment: backend.environment)
        #expect(run.status == 1)
        #expect(run.stderrLines == ["firmware-plan: no device named \"nope.domain.local\" in Nautobot (\(backend.url))"])
    }

    @Test func withoutAnInventoryTheBMCIsReadOnceReadOnly() throws {
        let record = "Record-Passw0rd-2026"
        let backend = try SimulatedNautobot.shared()
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(record)"])
        let kube = try SimulatedKubernetes.start()
        let environment = backend.environment.merging(bmc.environment(password: record)) { $1 }.merging(kube.stepEnvironment) { $1 }
        let run = try runStep("firmware-plan", ["--hostname", "host1.domain.local", "--host", bmc.host], environment: environment)
        #expect(run.status == 0, "\(run)")
        let plan = try JSONValue(parsing: run.output("plan") ?? "")
        #expect(
            plan["components"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == [
                "update", "update-needs-reboot", "no-baseline", "no-baseline", "no-baseline",
            ])
        let state = try bmc.state()
        #expect(state.attempts.map(\.outcome) == ["accepted"] && state.sessions == 0)
        #expect(try bmc.images().isEmpty && bmc.firmwareVersion() == "7.00.60.00")
        #expect(!run.everything.contains(record) && !run.everything.contains(backend.token))
    }
}
