import Foundation
import JSON
import StepTesting
import Testing

/// get-firmware-inventory against simulated BMCs: the inventory as contract.md shapes it, its one
/// login through the BMC's login history, and nothing changed on the BMC.
@Suite(.stopsSimulators) struct GetFirmwareInventoryTests {
    static let record = "Record-Passw0rd-2026"

    func environment(_ bmc: SimulatedBMC, _ kube: SimulatedKubernetes, password: String = record) -> [String: String] {
        bmc.environment(password: password).merging(kube.stepEnvironment) { $1 }.merging(["HOSTNAME": "inventory-pod"]) { $1 }
    }

    @Test func theInventoryIsEveryMemberInTheBMCsOrder() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:\(Self.record)"])
        let kube = try SimulatedKubernetes.start()
        let run = try runStep("get-firmware-inventory", ["--host", bmc.host], environment: environment(bmc, kube))
        #expect(run.status == 0, "\(run)")
        let inventory = try JSONValue(parsing: run.output("inventory") ?? "")
        let components = try #require(inventory["components"]?.arrayValue)
        #expect(components.compactMap { $0["kind"]?.stringValue } == ["bmc", "bios", "nic", "storage", "cpld"])
        #expect(
            components.first?.serialized
                == #"{"id":"Installed-25227-7.00.60.00","name":"Integrated Dell Remote Access Controller","version":"7.00.60.00","updateable":true,"kind":"bmc","path":"/redfish/v1/UpdateService/FirmwareInventory/Installed-25227-7.00.60.00"}"#
        )
        #expect(run.stdout == (run.output("inventory") ?? "") + "\n")
        #expect(run.stderr.contains("5 firmware component(s): 1 bmc, 1 bios, 1 nic, 1 storage, 1 cpld"), "\(run)")
        // Read-only: one login, recorded in the history like every BMC login; the session ended;
        // no update started, the firmware as it was.
        let state = try bmc.state()
        #expect(state.attempts.map(\.outcome) == ["accepted"] && state.sessions == 0 && state.lockouts == 0)
        #expect(try bmc.images().isEmpty && bmc.firmwareVersion() == "7.00.60.00")
        let history = try kube.loginHistory(of: bmc)?["data"]?.objectValue ?? []
        #expect(history.filter { $0.key.hasPrefix("attempt.") }.count == 1)
        #expect(!run.everything.contains(Self.record), "the password in a log line or output")
    }

    @Test func iLOsInventoryKeepsWhatTheBMCDoesNotSayAsNull() throws {
        let bmc = try SimulatedBMC.start(personality: "ilo5", accounts: ["root:\(Self.record)"])
        let kube = try SimulatedKubernetes.start()
        let run = try runStep("get-firmware-inventory", ["--host", bmc.host], environment: environment(bmc, kube))
        #expect(run.status == 0, "\(run)")
        let components = try #require(try JSONValue(parsing: run.output("inventory") ?? "")["components"]?.arrayValue)
        #expect(components.count == 12)
        #expect(components.allSatisfy { $0["updateable"] == .null }, "iLO 5 does not say")
        #expect(components[5]["name"]?.stringValue == "Redundant System ROM" && components[5]["kind"]?.stringValue == "other")
    }

    @Test func credentialsTheBMCRefusesEndTheStepPointingAtTheSync() throws {
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:\(Self.record)"], extra: ["--account-threshold", "3"])
        let kube = try SimulatedKubernetes.start()
        let run = try runStep(
            "get-firmware-inventory", ["--host", bmc.host], environment: environment(bmc, kube, password: "Not-The-Passw0rd"))
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last?.hasPrefix("get-firmware-inventory: the BMC refused the credentials on record for root (HTTP 401") == true,
            "\(run)")
        #expect(run.stderrLines.last?.hasSuffix("; run obm-sync-creds first") == true, "\(run)")
        #expect(try bmc.state().attempts.map(\.outcome) == ["refused"], "one attempt, never retried inside the step")
        #expect(!run.everything.contains("Not-The-Passw0rd"))
        let history = try kube.loginHistory(of: bmc)?["data"]?.objectValue ?? []
        #expect(history.filter { $0.key.hasPrefix("attempt.") }.count == 1, "the failure is counted for the next step")
    }

    @Test func aBMCThatDoesNotAnswerIsTransient() throws {
        let run = try runStep(
            "get-firmware-inventory", ["--host", "127.0.0.1:\(closedPort())", "--timeout", "20s"],
            environment: ["OBM_USERNAME": "root", "OBM_PASSWORD": Self.record, "OBM_TLS_VERIFY": "false"])
        #expect(run.status == 75, "\(run)")
        #expect(run.output("inventory") == nil)
    }
}
