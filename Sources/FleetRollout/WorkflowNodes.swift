import JSON
import StepRuntime

/// One node of an Argo Workflow's `status.nodes`: what the controller (or the local runner)
/// recorded about a step, a DAG, a pod.
public struct WorkflowNode: Sendable, Equatable {
    public var id: String
    public var displayName: String
    public var type: String
    public var phase: String
    public var message: String
    /// `workflowtemplate/template` for a templateRef, else the template's name.
    public var template: String
    public var inputs: [String: String]
    public var exitCode: Int?
    public var children: [String]
    public var finishedAt: String

    public var isFailed: Bool { phase == "Failed" || phase == "Error" }
    public var isFinished: Bool { !["Pending", "Running", ""].contains(phase) }
}

/// The nodes of one Workflow, by id, in the order the controller listed them.
public struct WorkflowNodes: Sendable {
    public var byID: [String: WorkflowNode]
    public var order: [String]
    /// Each node's parent (the node listing it as a child), computed once.
    var parentID: [String: String] = [:]

    /// Reads `status.nodes` of a Workflow object, or its gzip-compressed `status.compressedNodes`;
    /// a Workflow with no status yet has no nodes. Nodes offloaded to Argo's database cannot be
    /// read from the API: that, or compressed nodes that cannot be read, is an error, never "no
    /// failures".
    public init(workflow: JSONValue) throws(RolloutStatusError) {
        let status = workflow["status"]
        var nodes = status?["nodes"]?.objectValue ?? []
        if nodes.isEmpty, let compressed = status?["compressedNodes"]?.stringValue, !compressed.isEmpty {
            do {
                nodes = try CompressedNodes.decode(compressed).objectValue ?? []
            } catch {
                throw .unreadableCompressedNodes(error)
            }
        }
        if nodes.isEmpty, let version = status?["offloadNodeStatusVersion"]?.stringValue, !version.isEmpty {
            throw .offloaded(version)
        }
        self.init(nodes: nodes)
    }

    init(nodes: [JSONMember]) {
        var byID: [String: WorkflowNode] = [:]
        var order: [String] = []
        for member in nodes {
            let node = member.value
            var inputs: [String: String] = [:]
            for parameter in node["inputs"]?["parameters"]?.arrayValue ?? [] {
                if let name = parameter["name"]?.stringValue { inputs[name] = parameter["value"]?.stringValue ?? "" }
            }
            let template: String
            if let reference = node["templateRef"], let name = reference["name"]?.stringValue {
                template = name + "/" + (reference["template"]?.stringValue ?? "")
            } else {
                template = node["templateName"]?.stringValue ?? ""
            }
            let id = node["id"]?.stringValue ?? member.key
            byID[id] = WorkflowNode(
                id: id, displayName: node["displayName"]?.stringValue ?? "", type: node["type"]?.stringValue ?? "",
                phase: node["phase"]?.stringValue ?? "", message: node["message"]?.stringValue ?? "", template: template,
                inputs: inputs, exitCode: node["outputs"]?["exitCode"]?.stringValue.flatMap { Int($0) },
                children: (node["children"]?.arrayValue ?? []).compactMap(\.stringValue),
                finishedAt: node["finishedAt"]?.stringValue ?? "")
            order.append(id)
        }
        self.byID = byID
        self.order = order
        for id in order {
            for child in byID[id]?.children ?? [] where parentID[child] == nil { parentID[child] = id }
        }
    }

    public var all: [WorkflowNode] { order.compactMap { byID[$0] } }

    /// Every node below this one.
    public func descendants(of node: WorkflowNode) -> [WorkflowNode] {
        var seen: Set<String> = [node.id]
        var result: [WorkflowNode] = []
        var queue = node.children
        while !queue.isEmpty {
            let id = queue.removeFirst()
            guard seen.insert(id).inserted, let child = byID[id] else { continue }
            result.append(child)
            queue += child.children
        }
        return result
    }

    /// The parent of a node (the first one listing it as a child).
    public func parent(of node: WorkflowNode) -> WorkflowNode? {
        parentID[node.id].flatMap { byID[$0] }
    }

    /// One attempt of a retried step: a Pod under a Retry node. Argo keeps every attempt, with
    /// the step's inputs, phase Failed when it exited 75; the Retry node's phase is the step's
    /// outcome, so an attempt alone says nothing about the host.
    public func isRetryAttempt(_ node: WorkflowNode) -> Bool {
        parent(of: node)?.type == "Retry"
    }
}

/// Why a Workflow's nodes cannot be read: the fleet budget and summary then fail rather than
/// guess.
public enum RolloutStatusError: StepFailure, Equatable {
    case offloaded(String)
    case unreadableCompressedNodes(CompressedNodes.Problem)

    public var exitStatus: ExitStatus { .failure }

    public var message: String {
        switch self {
        case .offloaded(let version):
            "Argo offloaded this Workflow's node status to its database (offloadNodeStatusVersion \(version)): the failure budget cannot be read from the Kubernetes API; run the rollout over fewer hosts (a location, a rack) or raise the controller's size limit"
        case .unreadableCompressedNodes(.notGzip(let firstBytes)):
            // Argo v4.1 compresses with zstd or brotli when the controller's environment says so.
            "the Workflow's status.compressedNodes is not gzip but \(firstBytes == "28 b5 2f fd" ? "zstd" : "another algorithm (brotli?)") (starts \(firstBytes)): the failure budget cannot be counted from it; set the Argo controller's WORKFLOW_COMPRESSION_ALGORITHM back to gzip (the default)"
        case .unreadableCompressedNodes(let problem):
            "the Workflow's status.compressedNodes cannot be read (\(problem))"
        }
    }
}
