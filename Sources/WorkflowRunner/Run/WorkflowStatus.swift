import Foundation
import JSON
import Kubernetes
import Synchronization

/// The run as an Argo Workflow object (`status.nodes` and all), published to the Kubernetes API
/// as the workflow controller would: steps that read their own workflow (the fleet budget and
/// summary) see the same thing under the runner as under Argo.
final class WorkflowStatusPublisher: Sendable {
    struct Identity {
        var name: String
        var uid: String
        var namespace: String
        var workflowTemplate: String
        var parameters: [(String, String)]
    }

    private struct State {
        var client: KubernetesClient?
        var published = 0
        var failed = false
    }

    private let identity: Mutex<Identity>
    private let configuration: KubernetesConfiguration
    private let requested = Atomic<Int>(0)
    private let state = Mutex(State())
    let root: RunNode
    let log: @Sendable (String) -> Void

    init(identity: Identity, configuration: KubernetesConfiguration, root: RunNode, log: @escaping @Sendable (String) -> Void) {
        self.identity = Mutex(identity)
        self.configuration = configuration
        self.root = root
        self.log = log
    }

    /// Publishes the current state and returns once a publish that includes every change made
    /// before the call is done: a step started after this sees it. Best effort: a cluster
    /// without Argo's CRDs, or RBAC without workflows, gets one warning and no more attempts;
    /// only steps that read their Workflow then fail, saying it does not exist.
    func publish() {
        let wanted = requested.add(1, ordering: .sequentiallyConsistent).newValue
        state.withLock { state in
            guard state.published < wanted, !state.failed else { return }
            let generation = requested.load(ordering: .sequentiallyConsistent)
            let document = identity.withLock { Self.workflow($0, root: root) }
            do {
                let client = try state.client ?? KubernetesClient(configuration: configuration)
                state.client = client
                try client.publishWorkflow(document)
                state.published = generation
            } catch {
                state.failed = true
                let reason = (error as? KubernetesError)?.message ?? "\(error)"
                log("not publishing the run as a Workflow any more (\(reason)); steps that read their Workflow will fail")
            }
        }
    }

    static func workflow(_ identity: Identity, root: RunNode) -> JSONValue {
        let nodes = ArgoNodeGraph.nodes(of: root)
        let phase: String
        switch root.phase {
        case .pending, .running: phase = "Running"
        case .succeeded: phase = "Succeeded"
        default: phase = "Failed"
        }
        return [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            // Published to a real cluster, this must never be run by Argo as well: a controller
            // takes only Workflows of its own instance id (none: those without the label), and
            // one that took it anyway would stop it at once (shutdown: Terminate).
            "metadata": [
                "name": .string(identity.name), "namespace": .string(identity.namespace), "uid": .string(identity.uid),
                "labels": [
                    "workflows.argoproj.io/workflow-template": .string(identity.workflowTemplate),
                    "workflows.argoproj.io/controller-instanceid": "steps-runner-local",
                ],
            ],
            "spec": [
                "shutdown": "Terminate",
                "workflowTemplateRef": ["name": .string(identity.workflowTemplate)],
                "arguments": ["parameters": .array(identity.parameters.map { ["name": .string($0.0), "value": .string($0.1)] })],
            ],
            "status": .object(
                [JSONMember("phase", .string(phase))]
                    + (phase == "Failed" && !root.message.isEmpty ? [JSONMember("message", .string(root.message))] : [])
                    + [JSONMember("nodes", nodes)]),
        ]
    }
}
