import FoundationEssentials
import JSON
import StepRuntime

/// The nodes of one Workflow, by id, with the two relations a rollout's decisions follow:
/// ownership (`boundaryID`: which template invocation a node belongs to) and the attempts of
/// retried steps. Not `children` walks: Argo links a step group's last pods to the next group,
/// so the graph below one host reaches the rest of the workflow (steps.go, "connect all the
/// outbound nodes of the previous step group").
public struct WorkflowNodes: Sendable {
    /// The nodes in the order the controller listed them (Go writes a map's keys sorted).
    public private(set) var all: [WorkflowNode] = []
    private var index: [String: Int] = [:]
    /// The nodes each Steps or DAG invocation owns directly, by the invocation's id.
    private var ownedBy: [String: [Int]] = [:]
    /// Children of Retry nodes: one attempt each, whose own phase says nothing about the step.
    private var attempts: Set<String> = []
    /// The templates whose nodes keep their output parameters.
    private var keepsOutputsOf: Set<String> = []

    /// Reads the nodes of a Workflow's JSON text as the API server sends it: `status.nodes`, or
    /// the gzip-compressed `status.compressedNodes` a large one has instead; a Workflow with no
    /// status yet has no nodes. Nodes offloaded to Argo's database cannot be read from the API:
    /// that, or compressed nodes that cannot be read, is an error, never "no failures". Only the
    /// status is looked at, and the nodes are decoded one at a time: a rollout of a thousand
    /// hosts holds its node map's text (about 10 KB a host) and what it decodes to, not a tree.
    /// Output parameters are kept for the nodes of `outputsOf` templates only
    /// (`workflowtemplate/template`): a thousand hosts' plans are read once, not held thrice.
    public init(workflowText: [UInt8], outputsOf: Set<String> = []) throws(RolloutStatusError) {
        var strings = StringTable()
        keepsOutputsOf = outputsOf
        do {
            switch try Self.source(ofWorkflow: workflowText) {
            case .inline(let text):
                try JSONValue.forEachMember(ofObject: text) { key, node in try add(node, key: key, strings: &strings) }
            case .compressed(let base64):
                var reader = JSONMemberStream()
                try CompressedNodes.unpack(base64: base64) { piece in
                    try reader.feed(piece) { key, node in try add(node, key: key, strings: &strings) }
                }
                try reader.finish()
            case .none:
                break
            }
        } catch let error as RolloutStatusError {
            throw error
        } catch let problem as CompressedNodes.Problem {
            throw .unreadableCompressedNodes(problem)
        } catch {
            throw .unreadableCompressedNodes(.corrupt("the nodes are not a JSON object (\(error))"))
        }
        for (position, node) in all.enumerated() {
            if let boundary = node.boundaryID, !boundary.isEmpty { ownedBy[boundary, default: []].append(position) }
            if node.type == "Retry" { attempts.formUnion(node.children ?? []) }
        }
    }

    /// The same, from a Workflow already parsed.
    public init(workflow: JSONValue, outputsOf: Set<String> = []) throws(RolloutStatusError) {
        try self.init(workflowText: Array(workflow.serialized.utf8), outputsOf: outputsOf)
    }

    /// Where a Workflow's nodes are.
    enum Source {
        /// `status.nodes`: the map's JSON text.
        case inline([UInt8])
        /// `status.compressedNodes`: base64 of gzip.
        case compressed([UInt8])
        /// No status yet, or no nodes in it.
        case none
    }

    static func source(ofWorkflow text: [UInt8]) throws(RolloutStatusError) -> Source {
        guard let status = try members(["status"], of: text)["status"], !isNull(status) else { return .none }
        let fields = try members(["nodes", "compressedNodes", "offloadNodeStatusVersion"], of: Array(status))
        if let nodes = fields["nodes"], !isNull(nodes), !isEmptyObject(nodes) { return .inline(Array(nodes)) }
        if let compressed = fields["compressedNodes"], !isNull(compressed), compressed.count > 2 {
            // A JSON string of base64: no escapes in what Go writes, but a proxy may add some.
            guard compressed.contains(UInt8(ascii: "\\")) else { return .compressed(Array(compressed.dropFirst().dropLast())) }
            guard let decoded = (try? JSONValue(parsing: compressed))?.stringValue else { throw .unreadableCompressedNodes(.notBase64) }
            return .compressed(Array(decoded.utf8))
        }
        if let version = fields["offloadNodeStatusVersion"].flatMap({ try? JSONValue(parsing: $0) })?.stringValue, !version.isEmpty {
            throw .offloaded(version)
        }
        return .none
    }

    /// The text of the members of a JSON object named in `keys`.
    static func members(_ keys: Set<String>, of text: [UInt8]) throws(RolloutStatusError) -> [String: ArraySlice<UInt8>] {
        var found: [String: ArraySlice<UInt8>] = [:]
        do {
            try JSONValue.forEachMember(ofObject: text) { key, value in if keys.contains(key) { found[key] = value } }
        } catch {
            throw .notJSON("\(error)")
        }
        return found
    }

    static func isNull(_ text: ArraySlice<UInt8>) -> Bool { text.elementsEqual("null".utf8) }

    static func isEmptyObject(_ text: ArraySlice<UInt8>) -> Bool {
        text.filter { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }.elementsEqual("{}".utf8)
    }

    private static let decoder = JSONDecoder()

    private mutating func add(_ text: ArraySlice<UInt8>, key: String, strings: inout StringTable) throws(RolloutStatusError) {
        var node: WorkflowNode
        do {
            node = try Self.decoder.decode(WorkflowNode.self, from: Data(text))
        } catch let error as DecodingError {
            throw .malformedNode(key, error.fieldDescription)
        } catch {
            throw .malformedNode(key, "\(error)")
        }
        // Keyed as Argo keys the map (by id); children name their nodes by that key.
        node.id = strings.intern(key)
        if !node.outputs.isEmpty, !keepsOutputsOf.contains(node.template) { node.outputs = [:] }
        node.share(&strings)
        if let existing = index[node.id] {
            all[existing] = node
        } else {
            index[node.id] = all.count
            all.append(node)
        }
    }

    /// The ids in the order the controller listed them.
    public var order: [String] { all.map(\.id) }

    public subscript(id: String) -> WorkflowNode? { index[id].map { all[$0] } }

    /// Every node belonging to this template invocation, and to the invocations inside it.
    public func owned(by node: WorkflowNode) -> [WorkflowNode] {
        var result: [WorkflowNode] = []
        var queue = [node.id]
        var seen: Set<String> = [node.id]
        while let id = queue.popLast() {
            for position in ownedBy[id] ?? [] {
                let owned = all[position]
                guard seen.insert(owned.id).inserted else { continue }
                result.append(owned)
                queue.append(owned.id)
            }
        }
        return result
    }

    /// One attempt of a retried step: a child of a Retry node. Argo keeps every attempt, with
    /// the step's inputs, phase Failed when it exited 75; the Retry node's phase is the step's
    /// outcome, so an attempt alone says nothing about the host.
    public func isRetryAttempt(_ node: WorkflowNode) -> Bool { attempts.contains(node.id) }

    /// The last attempt of a Retry node (its children are its attempts, in order).
    public func lastAttempt(of retry: WorkflowNode) -> WorkflowNode? {
        retry.children?.last.flatMap { self[$0] }
    }
}

/// One copy of each string the nodes repeat (ids, boundaries, children, hostnames, template
/// names, times): thousands of hosts' nodes then share them instead of holding a copy each.
struct StringTable {
    private var strings: Set<String> = []

    mutating func intern(_ text: String) -> String {
        if let existing = strings.firstIndex(of: text) { return strings[existing] }
        strings.insert(text)
        return text
    }
}

/// Why a Workflow's nodes cannot be read: the fleet budget and summary then fail rather than
/// guess.
public enum RolloutStatusError: StepFailure, Equatable {
    case offloaded(String)
    case unreadableCompressedNodes(CompressedNodes.Problem)
    /// A node without a field Argo always writes: the key in status.nodes, and which field.
    case malformedNode(String, String)
    /// The Workflow the API server sent is not a JSON object.
    case notJSON(String)

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
        case .notJSON(let problem):
            "the Workflow the Kubernetes API sent cannot be read (\(problem))"
        }
    }
}
