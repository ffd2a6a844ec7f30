import FleetRollout
import Foundation
import JSON
import StepTesting
import Testing
import YAML

/// The reader on Workflow objects a real Argo controller wrote, copied unchanged from Argo's own
/// tests (Tests/Fixtures/argo-workflows, SOURCES.md says where each is from): retried attempts
/// that failed and then succeeded, retries that ran out, a when-skipped node, an Omitted
/// dependent, the graph links between step groups, every message format Argo has used.
@Suite struct ArgoFixtureTests {
    static let folder = BuiltProducts.packageRoot + "/Tests/Fixtures/argo-workflows/"

    static func nodes(_ file: String) throws -> WorkflowNodes {
        let text = try String(contentsOfFile: folder + file, encoding: .utf8)
        return try WorkflowNodes(workflow: try YAMLDocument.parse(text))
    }

    static func node(_ nodes: WorkflowNodes, named displayName: String) throws -> WorkflowNode {
        try #require(nodes.all.first { $0.displayName == displayName }, "no node \(displayName)")
    }

    /// seq-loop: a withParam fan-out of a nested steps template; in each iteration step2 (a Retry
    /// node) failed twice. Its first step's pod lists the next step group as a child: walking
    /// children is not ownership.
    @Test func aRetryThatRanOutIsTheIterationsFailureAndItsLastAttemptSpeaks() throws {
        let nodes = try Self.nodes("steps-withparam-parallelism-retry-failed.yaml")
        let reader = RolloutReader(nodes: nodes, hostTemplate: "unused/unused")
        let iteration = try Self.node(nodes, named: "iteration(0:a)")
        #expect(reader.failure(of: iteration) == .failed(step: "step2", exitCode: 1, message: "Error (exit code 1)"))
        let step2 = try Self.node(nodes, named: "step2")
        #expect(step2.type == "Retry")
        #expect(nodes.lastAttempt(of: step2)?.displayName == "step2(1)")
        #expect(try nodes.isRetryAttempt(Self.node(nodes, named: "step2(0)")))
        #expect(try !nodes.isRetryAttempt(Self.node(nodes, named: "step1")))

        let step1 = try Self.node(nodes, named: "step1")
        let nextGroup = try #require(step1.children?.first.flatMap { nodes[$0] })
        #expect((nextGroup.type, nextGroup.displayName) == ("StepGroup", "[1]"), "a pod links the next step group")
        #expect(
            Set(nodes.owned(by: iteration).compactMap(\.displayName)) == ["[0]", "[1]", "step1", "step2", "step2(0)", "step2(1)"])
        let root = try #require(nodes["seq-loop-pz4hh"])
        #expect(root.inputs["items"] == "[\"a\", \"b\", \"c\"]\n", "the root carries the workflow's arguments as inputs")
        #expect(nodes.owned(by: root).count == nodes.all.count - 1, "everything else belongs to the root, at some depth")
    }

    /// hr-retry-replication: a DAG withParam over JSON objects; each item's first attempt exited 1
    /// and its second succeeded. Nothing failed: the Retry nodes say so, whatever their attempts say.
    @Test func attemptsThatARetryMadeGoodAreNoFailure() throws {
        let nodes = try Self.nodes("dag-withparam-objects-retry-inputs-exitcode.yaml")
        let retries = nodes.all.filter { $0.type == "Retry" }
        #expect(Set(retries.compactMap(\.displayName)) == ["Retry-And-Loop(0:Id:1)", "Retry-And-Loop(1:Id:2)"])
        #expect(retries.allSatisfy { $0.phase == "Succeeded" && $0.exitCode == 0 && $0.inputs["itemId"] != nil })
        let firstAttempts = nodes.all.filter { $0.displayName?.hasSuffix(")(0)") == true }
        #expect(firstAttempts.count == 2)
        #expect(firstAttempts.allSatisfy { $0.phase == "Failed" && $0.exitCode == 1 && nodes.isRetryAttempt($0) })
        #expect(nodes.all.filter { $0.isFailed && !nodes.isRetryAttempt($0) }.isEmpty)
        let group = try Self.node(nodes, named: "Retry-And-Loop")
        #expect(group.type == "TaskGroup")
    }

    /// retry-with-dags: in a nested DAG, `fail` ran out of retries (Argo v2's "failed with exit
    /// code 1") and its dependent `success2` was Omitted. The Omitted node hangs below the last
    /// attempt as a child but belongs to the outer DAG.
    @Test func aFailedNestedDAGIsItsRetriedTaskAndTheOmittedOneNeverRan() throws {
        let nodes = try Self.nodes("dag-exhausted-retries-xfail.yaml")
        let reader = RolloutReader(nodes: nodes, hostTemplate: "unused/unused")
        let root = try #require(nodes["retry-with-dags"])
        #expect(reader.failure(of: root) == .failed(step: "fail", exitCode: 1, message: "failed with exit code 1"))
        let omitted = try Self.node(nodes, named: "success2")
        #expect(omitted.neverRan && !omitted.isFailed && omitted.message == "omitted: depends condition not met")
        let subDAG = try Self.node(nodes, named: "sub-dag1")
        #expect(!nodes.owned(by: subDAG).contains(omitted), "a child of fail(1), but owned by the outer DAG")
        #expect(try Self.node(nodes, named: "fail").message == "No more retries left")
    }

    /// Argo v3.7+: "main: Error (exit code 1)" and outputs.exitCode "1"; a when-skipped node with
    /// no inputs at all.
    @Test func theV37MessageAndASkippedNode() throws {
        let nodes = try Self.nodes("v37-main-error-message-when-skipped.yaml")
        let reader = RolloutReader(nodes: nodes, hostTemplate: "unused/unused")
        let pod = try #require(nodes["exit-handlers-n7s4n"])
        #expect(reader.failure(of: pod) == .failed(step: "exit-handlers-n7s4n", exitCode: 1, message: "main: Error (exit code 1)"))
        let skipped = try Self.node(nodes, named: "celebrate")
        #expect(skipped.neverRan && skipped.inputs.isEmpty && skipped.phase == "Skipped")
    }

    /// A failed steps workflow: its root says only "child '<id>' failed"; the failing step is
    /// found below it, its exit code from outputs.exitCode.
    @Test func aFailedStepsWorkflowNamesItsChildAndTheReaderFindsTheStep() throws {
        let nodes = try Self.nodes("steps-failed-child-workflow-message.yaml")
        let reader = RolloutReader(nodes: nodes, hostTemplate: "unused/unused")
        let root = try #require(nodes.all.first { $0.boundaryID == nil })
        #expect(root.message?.hasPrefix("child '") == true && root.message?.hasSuffix("' failed") == true)
        guard case .failed(let step, let exitCode, _) = reader.failure(of: root) else {
            Issue.record("the root failed")
            return
        }
        let failedPod = try #require(nodes.all.first { $0.type == "Pod" && $0.isFailed })
        #expect((step, exitCode) == (failedPod.stepName, 1))
    }

    /// Argo v2: a Retry with "No more retries left" whose three attempts failed, a second one still
    /// running: the finished one is the failure.
    @Test func anOldRetryThatRanOut() throws {
        let nodes = try Self.nodes("steps-failed-retries.yaml")
        let reader = RolloutReader(nodes: nodes, hostTemplate: "unused/unused")
        let root = try #require(nodes["failed-retries-tjjsc"])
        #expect(reader.failure(of: root) == .failed(step: "fail", exitCode: 1, message: "failed with exit code 1"))
    }

    /// A templateRef step: its node names the WorkflowTemplate and template; nodes inside the
    /// referenced template name their own templates.
    @Test func aTemplateRefNodeNamesItsWorkflowTemplate() throws {
        let nodes = try Self.nodes("steps-templateref-node.yaml")
        let referenced = try #require(nodes.all.first { $0.templateRef != nil })
        #expect(referenced.template == "workflow-template-whalesay-template/main")
        #expect(nodes.all.contains { $0.type == "Pod" && $0.exitCode == 0 })
    }

    /// The compressedNodes value from Argo's hydrator test (pgzip's sync-flush blocks): two nodes
    /// with empty ids and null times, keyed as the map keys them.
    @Test func compressedNodesAsArgoWritesThem() throws {
        let text = try String(contentsOfFile: Self.folder + "compressedNodes-pgzip-base64.txt", encoding: .utf8)
        let compressed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let nodes = try WorkflowNodes(workflow: ["status": ["compressedNodes": .string(compressed)]])
        #expect(nodes.order == ["bar", "foo"])
        #expect(nodes["foo"]?.finishedAt == nil && nodes["foo"]?.phase == nil)
    }

    /// A node without a field Argo always writes is an error naming it, never a silent default.
    @Test func aNodeWithoutItsTypeIsRefusedByName() throws {
        #expect(throws: RolloutStatusError.malformedNode("n1", "type is missing")) {
            try WorkflowNodes(workflow: ["status": ["nodes": ["n1": ["id": "n1", "name": "wf"]]]])
        }
        #expect(throws: RolloutStatusError.malformedNode("n1", "outputs.exitCode is not a string")) {
            try WorkflowNodes(
                workflow: ["status": ["nodes": ["n1": ["id": "n1", "name": "wf", "type": "Pod", "outputs": ["exitCode": 1]]]]])
        }
    }
}
