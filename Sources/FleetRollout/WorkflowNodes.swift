import FoundationEssentials
import JSON
import StepRuntime

/// The nodes of one Workflow, by id, with the two relations a rollout's decisions follow:
/// ownership (`boundaryID`: which template invocation a node belongs to) and the attempts of
/// retried steps. Not `children` walks: Argo links a step group's last pods to the next group,
/// so the graph below one host reaches the rest of the workflow (steps.go, "connect all the
/// outbound nodes of the previous step group").
public struct WorkflowNodes: Sendable {
    public private(set) var byID: [String: WorkflowNode] = [:]
    /// Ids in the order the controller listed them.
    public private(set) var order: [String] = []
    /// The nodes each Steps or DAG invocation owns directly, by the invocation's id.
    private var ownedBy: [String: [String]] = [:]
    /// Children of Retry nodes: one attempt each, whose own phase says nothing about the step.
    private var attempts: Set<String> = []

    /// Reads `status.nodes` of a Workflow object, or its gzip-compressed `status.compressedNodes`;
    /// a Workflow with no status yet has no nodes. Nodes offloaded to Argo's database cannot be
    /// read from the API: that, or compressed nodes that cannot be read, is an error, never "no
    /// failures".
    public init(workflow: JSONValue) throws(RolloutStatusError) {
        let status = workflow["status"]
        if let nodes = status?["nodes"], nodes.objectValue?.isEmpty == false {
            try self.init(nodesText: Array(nodes.serialized.utf8))
        } else if let compressed = status?["compressedNodes"]?.stringValue, !compressed.isEmpty {
            let inflated: [UInt8]
            do {
                inflated = try CompressedNodes.inflated(compressed)
            } catch {
                throw .unreadableCompressedNodes(error)
            }
            try self.init(nodesText: inflated)
        } else if let version = status?["offloadNodeStatusVersion"]?.stringValue, !version.isEmpty {
            throw .offloaded(version)
        } else {
            try self.init(nodesText: Array("{}".utf8))
        }
    }

    /// Reads the nodes map's JSON text one node at a time: a large rollout's map (tens of MB
    /// inflated) is never held as a tree, only as the nodes it decodes to.
    init(nodesText: [UInt8]) throws(RolloutStatusError) {
        do {
            try JSONValue.forEachMember(ofObject: nodesText) { key, text in try add(text, key: key) }
        } catch let error as RolloutStatusError {
            throw error
        } catch {
            throw .unreadableCompressedNodes(.corrupt("the nodes are not a JSON object (\(error))"))
        }
        link()
    }

    private static let decoder = JSONDecoder()

    private mutating func add(_ text: ArraySlice<UInt8>, key: String) throws(RolloutStatusError) {
        let node: WorkflowNode
        do {
            node = try Self.decoder.decode(WorkflowNode.self, from: Data(text))
        } catch let error as DecodingError {
            throw .malformedNode(key, error.fieldDescription)
        } catch {
            throw .malformedNode(key, "\(error)")
        }
        // Keyed as Argo keys the map (by id); children name their nodes by that key.
        if byID.updateValue(node, forKey: key) == nil { order.append(key) }
    }

    private mutating func link() {
        for id in order {
            guard let node = byID[id] else { continue }
            if let boundary = node.boundaryID, !boundary.isEmpty { ownedBy[boundary, default: []].append(id) }
            if node.type == "Retry" { attempts.formUnion(node.children ?? []) }
        }
    }

    public var all: [WorkflowNode] { order.compactMap { byID[$0] } }

    public subscript(id: String) -> WorkflowNode? { byID[id] }

    /// Every node belonging to this template invocation, and to the invocations inside it.
    public func owned(by node: WorkflowNode) -> [WorkflowNode] {
        var result: [WorkflowNode] = []
        var queue = ownedBy[node.id] ?? []
        var seen: Set<String> = [node.id]
        while let id = queue.popLast() {
            guard seen.insert(id).inserted, let owned = byID[id] else { continue }
            result.append(owned)
            queue += ownedBy[id] ?? []
        }
        return result
    }

    /// One attempt of a retried step: a child of a Retry node. Argo keeps every attempt, with
    /// the step's inputs, phase Failed when it exited 75; the Retry node's phase is the step's
    /// outcome, so an attempt alone says nothing about the host.
    public func isRetryAttempt(_ node: WorkflowNode) -> Bool { attempts.contains(node.id) }

    /// The last attempt of a Retry node (its children are its attempts, in order).
    public func lastAttempt(of retry: WorkflowNode) -> WorkflowNode? {
        retry.children?.last.flatMap { byID[$0] }
    }
}

/// Why a Workflow's nodes cannot be read: the fleet budget and summary then fail rather than
/// guess.
public enum RolloutStatusError: StepFailure, Equatable {
    case offloaded(String)
    case unreadableCompressedNodes(CompressedNodes.Problem)
    /// A node without a field Argo always writes: the key in status.nodes, and which field.
    case malformedNode(String, String)

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
        case .malformedNode(let key, let field):
            "the Workflow's node \(key) cannot be read: \(field)"
        }
    }
}
