import FirmwareCompliance
import FleetRollout
import JSON
import Testing

/// A compliance fleet's summary from a Workflow shaped as Argo writes it: each host's verdict
/// from its run's `plan` output, and the hosts that have none counted as what they are.
@Suite struct ComplianceSummaryTests {
    static let hostTemplate = "firmware-plan/main"

    /// A host's firmware-plan/main run (a DAG node), with a `plan` output when given, and the
    /// plan pod inside it with the same output.
    static func run(_ host: String, phase: String, plan: String?, message: String? = nil) -> [JSONMember] {
        var dag = RolloutReaderTests.node(
            "run-\(host)", "plan", type: "DAG", phase: phase, reference: ("firmware-plan", "main"), hostname: host,
            message: message, boundary: "r")
        var pod = RolloutReaderTests.node(
            "pod-\(host)", "plan", type: "Pod", phase: phase, template: "plan", hostname: host, message: message,
            boundary: "run-\(host)")
        if let plan {
            let outputs = JSONMember("outputs", ["parameters": [["name": "plan", "value": .string(plan)]]])
            dag.value = .object((dag.value.objectValue ?? []) + [outputs])
            pod.value = .object((pod.value.objectValue ?? []) + [outputs])
        }
        return [dag, pod]
    }

    static func plan(_ host: String, _ verdict: String) -> String { #"{"hostname":"\#(host)","verdict":"\#(verdict)","components":[]}"# }

    static let workflow: JSONValue = [
        "status": [
            "nodes": .object(
                [RolloutReaderTests.node("r", "wf", type: "Steps", phase: "Failed", template: "main")]
                    + run("h1", phase: "Succeeded", plan: plan("h1", "outdated"))
                    + run("h2", phase: "Succeeded", plan: plan("h2", "compliant"))
                    + run("h3", phase: "Succeeded", plan: nil)
                    + run("h4", phase: "Failed", plan: nil, message: "Error (exit code 1): the BMC refused the credentials on record")
                    + run("h5", phase: "Succeeded", plan: plan("h5", "perfect"))
                    + run("h7", phase: "Succeeded", plan: plan("h7", "no-baseline")))
        ]
    ]

    static let deviceTypes = [
        "h1": "Dell PowerEdge R650", "h2": "Dell PowerEdge R650", "h3": "HPE DL325", "h4": "HPE DL325", "h5": "HPE DL325",
    ]

    func summary() throws -> ComplianceSummary {
        let nodes = try WorkflowNodes(workflow: Self.workflow, outputsOf: [Self.hostTemplate])
        let reader = RolloutReader(nodes: nodes, hostTemplate: Self.hostTemplate)
        return ComplianceSummary(
            hosts: ["h1", "h2", "h3", "h4", "h5", "h6", "h7"], deviceTypes: Self.deviceTypes, reader: reader,
            budget: try FailureBudget("5"))
    }

    @Test func eachHostHasAVerdictOrSaysWhyNot() throws {
        let summary = try summary()
        #expect(summary.rows.map(\.standing.name) == ["outdated", "compliant", "failed", "failed", "failed", "not started", "no-baseline"])
        #expect(
            summary.rows[2].standing
                == .failed(.failed(step: Self.hostTemplate, exitCode: nil, message: "the run succeeded but has no output `plan`")))
        #expect(
            summary.rows[3].standing == .failed(.failed(step: "plan", exitCode: 1, message: "the BMC refused the credentials on record")))
        #expect(
            summary.rows[4].standing
                == .failed(.failed(step: Self.hostTemplate, exitCode: nil, message: "its output `plan` has no verdict this summary knows")),
            "a verdict it does not know is never counted as one it does")
        #expect(summary.rows[5].deviceType == "(device type not known)")
        #expect(!summary.isClean(requireCompliant: false), "hosts without a verdict fail the fleet")
    }

    @Test func theCountsGoPerDeviceTypeInNameOrder() throws {
        let json = try summary().json
        #expect(json["hosts"]?.intValue == 7)
        #expect(
            [json["compliant"], json["outdated"], json["noBaseline"], json["unknown"], json["failed"], json["notStarted"]].map {
                $0?.intValue
            }
                == [1, 1, 1, 0, 3, 1])
        let groups = json["deviceTypes"]?.arrayValue ?? []
        #expect(groups.map { $0["deviceType"]?.stringValue } == ["(device type not known)", "Dell PowerEdge R650", "HPE DL325"])
        #expect(groups[1]["hosts"]?.intValue == 2 && groups[1]["compliant"]?.intValue == 1 && groups[1]["outdated"]?.intValue == 1)
        #expect(groups[2]["failed"]?.intValue == 3)
        let h4 = json["results"]?.arrayValue?[3]
        #expect(
            h4?.serialized
                == #"{"hostname":"h4","deviceType":"HPE DL325","result":"failed","step":"plan","exitCode":1,"message":"the BMC refused the credentials on record"}"#
        )
        #expect(
            try summary().headline.hasPrefix(
                "1 of 7 host(s) compliant, 1 outdated, 1 no-baseline, 0 unknown, 3 failed, 1 not started; h3: failed at firmware-plan/main")
        )
    }

    @Test func requireCompliantFailsAFleetWhereEveryHostHasAVerdict() throws {
        let nodes = try WorkflowNodes(workflow: Self.workflow, outputsOf: [Self.hostTemplate])
        let reader = RolloutReader(nodes: nodes, hostTemplate: Self.hostTemplate)
        let planned = ComplianceSummary(
            hosts: ["h1", "h2"], deviceTypes: Self.deviceTypes, reader: reader, budget: try FailureBudget("0"))
        #expect(planned.isClean(requireCompliant: false), "an outdated host is a verdict, not a failure")
        #expect(!planned.isClean(requireCompliant: true))
        let compliant = ComplianceSummary(hosts: ["h2"], deviceTypes: Self.deviceTypes, reader: reader, budget: try FailureBudget("0"))
        #expect(compliant.isClean(requireCompliant: true))
    }

    /// Outputs are kept for the host template's nodes only: a thousand plans are held once.
    @Test func onlyTheHostTemplatesNodesKeepTheirOutputs() throws {
        let nodes = try WorkflowNodes(workflow: Self.workflow, outputsOf: [Self.hostTemplate])
        #expect(nodes["run-h1"]?.outputs["plan"] == Self.plan("h1", "outdated"))
        #expect(nodes["pod-h1"]?.outputs.isEmpty == true)
        #expect(try WorkflowNodes(workflow: Self.workflow)["run-h1"]?.outputs.isEmpty == true)
    }
}
