import FleetRollout
import Foundation
import JSON
import StepRuntime
import StepTesting
import Testing

/// The budget arithmetic, and reading hosts' outcomes from a Workflow shaped as Argo's controller
/// writes it: StepGroup and Retry nodes, "Error (exit code N): …" messages, skipped steps.
@Suite struct RolloutReaderTests {
    @Test func budgetsCountHostsOrAShareRoundedDown() throws {
        #expect(try FailureBudget("3").allowed(of: 50) == 3)
        #expect(try FailureBudget("10%").allowed(of: 50) == 5)
        #expect(try FailureBudget("10%").allowed(of: 15) == 1)
        #expect(try FailureBudget("0").isCrossed(failed: 1, of: 50))
        #expect(try !FailureBudget("2").isCrossed(failed: 2, of: 50), "crossed only when more than allowed have failed")
        #expect(try FailureBudget(" 12.5% ").description == "12.5%")
        for bad in ["", "-1", "ten"] {
            #expect(
                throws: StepError.badInput("failure budget \"\(bad)\" is not a number of hosts (0 or more) or a percentage (10%)"), "\(bad)"
            ) { try FailureBudget(bad) }
        }
        for bad in ["150%", "%"] {
            #expect(throws: StepError.badInput("failure budget \"\(bad)\" is not a percentage from 0% to 100%"), "\(bad)") {
                try FailureBudget(bad)
            }
        }
    }

    static func node(
        _ id: String, _ name: String, type: String, phase: String, template: String? = nil, reference: (String, String)? = nil,
        hostname: String? = nil, message: String? = nil, finished: String = "2026-11-27T01:00:00Z", children: [String] = [],
        boundary: String? = nil
    ) -> JSONMember {
        var fields: [JSONMember] = [
            JSONMember("id", .string(id)), JSONMember("name", .string("wf." + name)), JSONMember("displayName", .string(name)),
            JSONMember("type", .string(type)), JSONMember("phase", .string(phase)),
        ]
        if let reference { fields.append(JSONMember("templateRef", ["name": .string(reference.0), "template": .string(reference.1)])) }
        if let template { fields.append(JSONMember("templateName", .string(template))) }
        if let hostname { fields.append(JSONMember("inputs", ["parameters": [["name": "hostname", "value": .string(hostname)]]])) }
        if let message { fields.append(JSONMember("message", .string(message))) }
        if let boundary { fields.append(JSONMember("boundaryID", .string(boundary))) }
        fields.append(JSONMember("finishedAt", .string(finished)))
        if !children.isEmpty { fields.append(JSONMember("children", .array(children.map { .string($0) }))) }
        return JSONMember(id, .object(fields))
    }

    /// h1 fails at get-obm-ip after a retry, h2 succeeds, h3's admission failed, h4 was skipped.
    static let workflow: JSONValue = [
        "status": [
            "nodes": .object([
                node("r", "wf", type: "Steps", phase: "Failed", template: "main", children: ["g1"]),
                node("g1", "[1]", type: "StepGroup", phase: "Succeeded", children: ["h1", "h2", "h3", "h4"], boundary: "r"),
                node(
                    "h1", "host(0:h1)", type: "Steps", phase: "Failed", template: "host", hostname: "h1", children: ["a1", "s1"],
                    boundary: "r"),
                node("a1", "admit", type: "Pod", phase: "Succeeded", reference: ("fleet-rollout", "admit"), hostname: "h1", boundary: "h1"),
                node(
                    "s1", "sync", type: "DAG", phase: "Failed", reference: ("obm-sync-creds", "main"), hostname: "h1",
                    message: "child 'x' failed", children: ["ip1"], boundary: "h1"),
                node(
                    "ip1", "get-obm-ip", type: "Retry", phase: "Failed", reference: ("get-obm-ip", "main"), children: ["p0", "p1"],
                    boundary: "s1"),
                node(
                    "p0", "get-obm-ip(0)", type: "Pod", phase: "Failed", message: "Error (exit code 75): Nautobot answered 503",
                    finished: "2026-11-27T01:00:01Z", boundary: "s1"),
                node(
                    "p1", "get-obm-ip(1)", type: "Pod", phase: "Failed",
                    message: "Error (exit code 1): device \"h1\" has no interface named iDRAC or iLO", finished: "2026-11-27T01:00:12Z",
                    boundary: "s1"),
                node(
                    "h2", "host(1:h2)", type: "Steps", phase: "Succeeded", template: "host", hostname: "h2", children: ["s2"], boundary: "r"
                ),
                node("s2", "sync", type: "DAG", phase: "Succeeded", reference: ("obm-sync-creds", "main"), hostname: "h2", boundary: "h2"),
                node("h3", "host(2:h3)", type: "Steps", phase: "Failed", template: "host", hostname: "h3", children: ["a3"], boundary: "r"),
                node(
                    "a3", "admit", type: "Pod", phase: "Error", reference: ("fleet-rollout", "admit"), hostname: "h3",
                    message: "Error (exit code 1): Kubernetes API refused get workflows", boundary: "h3"),
                node(
                    "h4", "host(3:h4)", type: "Steps", phase: "Succeeded", template: "host", hostname: "h4", children: ["s4"], boundary: "r"
                ),
                node(
                    "s4", "sync", type: "Skipped", phase: "Skipped", reference: ("obm-sync-creds", "main"), hostname: "h4", boundary: "h4"),
            ])
        ]
    ]

    @Test func eachHostGetsItsOutcomeAndTheFailingStepOwnLine() throws {
        let reader = RolloutReader(nodes: try WorkflowNodes(workflow: Self.workflow), hostTemplate: "obm-sync-creds/main")
        let budget = try FailureBudget("1")
        #expect(reader.failedHosts == ["h1", "h3"])
        #expect(
            reader.outcome(of: "h1", budget: budget, total: 5)
                == .failed(step: "get-obm-ip", exitCode: 1, message: "device \"h1\" has no interface named iDRAC or iLO"),
            "the last attempt's failure, named by the step, not the attempt")
        #expect(reader.outcome(of: "h2", budget: budget, total: 5) == .succeeded)
        #expect(
            reader.outcome(of: "h3", budget: budget, total: 5)
                == .failed(step: "admit", exitCode: 1, message: "Kubernetes API refused get workflows"))
        guard case .notStarted(let reason) = reader.outcome(of: "h4", budget: budget, total: 5) else {
            Issue.record("h4 was skipped")
            return
        }
        #expect(reason == "2 host(s) had failed, more than the failure budget (1, 1 of 5)")
        #expect(
            reader.outcome(of: "h5", budget: try FailureBudget("5"), total: 5) == .notStarted(reason: "no per-host run was recorded for it")
        )
    }

    /// Argo keeps every attempt of a retried step as a Pod node with the step's inputs; the Retry
    /// node's phase is the step's outcome. h1 and h2 each had an attempt fail with 75 and the
    /// retry succeed (h2's in its admission): neither failed, and the budget is not spent.
    @Test func anAttemptARetryMadeGoodIsNoFailure() throws {
        let workflow: JSONValue = [
            "status": [
                "nodes": .object([
                    Self.node("r", "wf", type: "Steps", phase: "Running", template: "main", children: ["h1", "h2", "h3"]),
                    Self.node(
                        "h1", "host(0:h1)", type: "Steps", phase: "Succeeded", template: "host", hostname: "h1", children: ["s1"],
                        boundary: "r"),
                    Self.node(
                        "s1", "sync", type: "DAG", phase: "Succeeded", reference: ("obm-sync-creds", "main"), hostname: "h1",
                        children: ["ip1"], boundary: "h1"),
                    Self.node(
                        "ip1", "get-obm-ip", type: "Retry", phase: "Succeeded", reference: ("get-obm-ip", "main"), hostname: "h1",
                        children: ["p0", "p1"], boundary: "s1"),
                    Self.node(
                        "p0", "get-obm-ip(0)", type: "Pod", phase: "Failed", hostname: "h1",
                        message: "main: Error (exit code 75): Nautobot answered 502", boundary: "s1"),
                    Self.node("p1", "get-obm-ip(1)", type: "Pod", phase: "Succeeded", hostname: "h1", boundary: "s1"),
                    Self.node(
                        "h2", "host(1:h2)", type: "Steps", phase: "Succeeded", template: "host", hostname: "h2", children: ["a2", "s2"],
                        boundary: "r"),
                    Self.node(
                        "a2", "admit", type: "Retry", phase: "Succeeded", reference: ("fleet-rollout", "admit"), hostname: "h2",
                        children: ["a20", "a21"], boundary: "h2"),
                    Self.node(
                        "a20", "admit(0)", type: "Pod", phase: "Failed", reference: ("fleet-rollout", "admit"), hostname: "h2",
                        message: "main: Error (exit code 75): Kubernetes API answered 503", boundary: "h2"),
                    Self.node(
                        "a21", "admit(1)", type: "Pod", phase: "Succeeded", reference: ("fleet-rollout", "admit"), hostname: "h2",
                        boundary: "h2"),
                    Self.node(
                        "s2", "sync", type: "DAG", phase: "Succeeded", reference: ("obm-sync-creds", "main"), hostname: "h2", boundary: "h2"
                    ),
                    Self.node(
                        "h3", "host(2:h3)", type: "Steps", phase: "Running", template: "host", hostname: "h3", children: ["a3"],
                        boundary: "r"),
                    Self.node(
                        "a3", "admit", type: "Retry", phase: "Running", reference: ("fleet-rollout", "admit"), hostname: "h3",
                        children: ["a30"], boundary: "h3"),
                    Self.node(
                        "a30", "admit(0)", type: "Pod", phase: "Failed", reference: ("fleet-rollout", "admit"), hostname: "h3",
                        message: "main: Error (exit code 75): Kubernetes API answered 503", boundary: "h3"),
                ])
            ]
        ]
        let reader = RolloutReader(nodes: try WorkflowNodes(workflow: workflow), hostTemplate: "obm-sync-creds/main")
        #expect(reader.failedHosts.isEmpty, "\(reader.failedHosts)")
        let budget = try FailureBudget("0")
        #expect(reader.outcome(of: "h1", budget: budget, total: 3) == .succeeded)
        #expect(reader.outcome(of: "h2", budget: budget, total: 3) == .succeeded, "its admission was retried, then its run succeeded")
        #expect(reader.outcome(of: "h3", budget: budget, total: 3) == .unfinished, "its admission is being retried")
    }

    /// Argo compresses a large Workflow's nodes (gzip, then base64); offloaded ones are not in the
    /// object at all. The budget must read the first and refuse the second, never see "no failures".
    @Test func compressedNodesAreReadAndOffloadedOnesRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nodes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try (Self.workflow["status"]?["nodes"] ?? nil).serialized.write(toFile: folder + "/nodes.json", atomically: true, encoding: .utf8)
        let packed = try runProcess(
            "/bin/sh", ["-c", "gzip -c '\(folder)/nodes.json' | base64 -w0"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(packed.status == 0)
        let compressed: JSONValue = ["status": ["compressedNodes": .string(packed.stdout), "phase": "Running"]]
        let reader = RolloutReader(nodes: try WorkflowNodes(workflow: compressed), hostTemplate: "obm-sync-creds/main")
        #expect(reader.failedHosts == ["h1", "h3"])
        #expect(reader.outcome(of: "h2", budget: try FailureBudget("1"), total: 5) == .succeeded)

        #expect(throws: RolloutStatusError.offloaded("fnv:123")) {
            try WorkflowNodes(workflow: ["status": ["offloadNodeStatusVersion": "fnv:123"]])
        }
        #expect(throws: RolloutStatusError.unreadableCompressedNodes(.notGzip(firstBytes: "28 b5 2f fd"))) {
            try WorkflowNodes(workflow: ["status": ["compressedNodes": .string(Data([0x28, 0xb5, 0x2f, 0xfd, 0]).base64EncodedString())]])
        }
        #expect(
            RolloutStatusError.unreadableCompressedNodes(.notGzip(firstBytes: "28 b5 2f fd")).message
                == "the Workflow's status.compressedNodes is not gzip but zstd (starts 28 b5 2f fd): the failure budget cannot be counted from it; set the Argo controller's WORKFLOW_COMPRESSION_ALGORITHM back to gzip (the default)"
        )
        #expect(throws: RolloutStatusError.unreadableCompressedNodes(.notBase64)) {
            try WorkflowNodes(workflow: ["status": ["compressedNodes": "not base64!"]])
        }
        // JSON may escape a solidus; base64 has many.
        let escaped =
            Array(#"{"status": {"compressedNodes": ""#.utf8) + Array(packed.stdout.replacingOccurrences(of: "/", with: #"\/"#).utf8)
            + Array(#""}}"#.utf8)
        #expect(
            try RolloutReader(nodes: WorkflowNodes(workflowText: escaped), hostTemplate: "obm-sync-creds/main").failedHosts == ["h1", "h3"])
        #expect(throws: RolloutStatusError.notJSON("invalid JSON at byte 0: expected an object")) {
            try WorkflowNodes(workflowText: Array("<html>".utf8))
        }
        let truncated = String(packed.stdout.prefix(40))
        #expect(throws: RolloutStatusError.self) {
            try WorkflowNodes(workflow: ["status": ["compressedNodes": .string(truncated)]])
        }
        #expect(try WorkflowNodes(workflow: ["status": ["phase": "Running"]]).all.isEmpty, "no status yet: no nodes, no error")
    }

    @Test func theSummaryCountsAndSaysWhy() throws {
        let reader = RolloutReader(nodes: try WorkflowNodes(workflow: Self.workflow), hostTemplate: "obm-sync-creds/main")
        let summary = RolloutSummary(hosts: ["h1", "h2", "h3", "h4"], reader: reader, budget: try FailureBudget("1"))
        #expect((summary.succeeded, summary.failed, summary.notStarted) == (1, 2, 1))
        #expect(!summary.isClean)
        #expect(summary.json["budgetCrossed"]?.boolValue == true)
        #expect(summary.json["results"]?.arrayValue?.first?["step"]?.stringValue == "get-obm-ip")
        #expect(
            summary.headline.hasPrefix(
                "1 of 4 host(s) succeeded, 2 failed, 1 not started (failure budget 1 crossed); h1: failed at get-obm-ip (exit 1)"))
        #expect(
            summary.table.split(separator: "\n").first
                == "h1  failed at get-obm-ip (exit 1): device \"h1\" has no interface named iDRAC or iLO")
    }
}
