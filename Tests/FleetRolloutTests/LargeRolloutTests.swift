import FleetRollout
import Foundation
import JSON
import StepTesting
import Testing

/// A rollout of the largest size a controller keeps in the Workflow (its status compressed), as
/// scripts/argo-rollout-workflow.py writes it after Argo's shapes: every failed host found, none
/// of the hosts whose get-obm-ip was retried after exit 75, each failure named by its step.
@Suite struct LargeRolloutTests {
    @Test func aCompressedRolloutOfNineHundredHostsIsReadHostByHost() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let generated = try runProcess(
            "/bin/sh",
            [
                "-c",
                "python3 '\(BuiltProducts.packageRoot)/scripts/argo-rollout-workflow.py' --hosts 880 --hostnames-out '\(folder)/hosts.json' > '\(folder)/workflow.json'",
            ], environment: ["PATH": "/usr/bin:/bin", "HOME": folder])
        #expect(generated.status == 0, "\(generated.stderr)")
        let sizes = try JSONValue(parsing: generated.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(sizes["packing"]?.stringValue == "compressed", "\(sizes)")
        let text = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/workflow.json")))
        let nodes = try WorkflowNodes(workflowText: text)
        #expect(nodes.all.count == sizes["nodes"]?.intValue)
        let reader = RolloutReader(nodes: nodes, hostTemplate: "obm-sync-creds/main")
        // Every 50th host failed (17 of 880); every 20th not among them was retried once.
        #expect(reader.failedHosts.count == 17)
        let hosts = try #require(try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: folder + "/hosts.json"))).arrayValue)
            .compactMap(\.stringValue)
        let summary = RolloutSummary(hosts: hosts, reader: reader, budget: try FailureBudget("10%"))
        #expect((summary.succeeded, summary.failed, summary.notStarted) == (863, 17, 0))
        #expect(
            summary.outcomes[49].outcome
                == .failed(step: "get-obm-ip", exitCode: 1, message: "device \"\(hosts[49])\" has no interface named iDRAC, iLO or BMC"))
        #expect(summary.outcomes[19].outcome == .succeeded, "retried once after exit 75")
    }
}
