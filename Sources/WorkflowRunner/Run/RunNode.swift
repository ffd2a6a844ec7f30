import Foundation
import Synchronization

/// One node of the run, as `argo get` shows it and as Argo records it in `status.nodes`.
public final class RunNode: Sendable {
    public enum Phase: String, Sendable {
        case pending = "Pending"
        case running = "Running"
        case succeeded = "Succeeded"
        case failed = "Failed"
        case omitted = "Omitted"
        case skipped = "Skipped"
    }

    /// Argo's node types, for the ones the runner makes.
    public enum Kind: String, Sendable {
        case pod = "Pod"
        case steps = "Steps"
        case dag = "DAG"
        case skipped = "Skipped"
    }

    struct State {
        var children: [RunNode] = []
        var phase = Phase.pending
        var kind = Kind.pod
        var message = ""
        var started: Date?
        var finished: Date?
        var inputs: [(String, String)] = []
        var outputs: [String: String] = [:]
        var exitCode: Int32?
        var attempts = 0
        var failureTolerated = false
    }

    public let id: String
    public let name: String
    /// `workflow/template`, or the template's name when it is in the same WorkflowTemplate.
    public let template: String
    let reference: TemplateReference?
    private let state = Mutex(State())

    init(id: String, name: String, template: String, reference: TemplateReference? = nil) {
        self.id = id
        self.name = name
        self.template = template
        self.reference = reference
    }

    // Threads of the run change nodes while the status publisher reads them: every field is
    // behind the node's lock.
    public var children: [RunNode] { state.withLock { $0.children } }
    public var phase: Phase {
        get { state.withLock { $0.phase } }
        set { state.withLock { $0.phase = newValue } }
    }
    public var kind: Kind {
        get { state.withLock { $0.kind } }
        set { state.withLock { $0.kind = newValue } }
    }
    public var message: String {
        get { state.withLock { $0.message } }
        set { state.withLock { $0.message = newValue } }
    }
    public var started: Date? {
        get { state.withLock { $0.started } }
        set { state.withLock { $0.started = newValue } }
    }
    public var finished: Date? {
        get { state.withLock { $0.finished } }
        set { state.withLock { $0.finished = newValue } }
    }
    public var outputs: [String: String] {
        get { state.withLock { $0.outputs } }
        set { state.withLock { $0.outputs = newValue } }
    }
    public var attempts: Int {
        get { state.withLock { $0.attempts } }
        set { state.withLock { $0.attempts = newValue } }
    }
    var inputs: [(String, String)] {
        get { state.withLock { $0.inputs } }
        set { state.withLock { $0.inputs = newValue } }
    }
    var exitCode: Int32? {
        get { state.withLock { $0.exitCode } }
        set { state.withLock { $0.exitCode = newValue } }
    }

    /// Failed, but its parent went on (continueOn.failed): not the workflow's failure.
    var failureTolerated: Bool {
        get { state.withLock { $0.failureTolerated } }
        set { state.withLock { $0.failureTolerated = newValue } }
    }

    func add(_ child: RunNode) { state.withLock { $0.children.append(child) } }

    func snapshot() -> State { state.withLock { $0 } }

    /// Whether it is over, one way or another.
    var isFinished: Bool { ![.pending, .running].contains(phase) }
}
