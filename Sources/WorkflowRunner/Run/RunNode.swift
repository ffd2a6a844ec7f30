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

    /// Where a node stands in its parent's template: which step group of a steps template, or
    /// which DAG task, what that task depends on, and whether it is one item of a fan-out.
    struct Placement: Sendable {
        var group: Int?
        var task: String
        var dependencies: [String] = []
        var fannedOut = false
    }

    /// One run of a container: Argo keeps each as a Pod node under the step's Retry node.
    struct Attempt {
        var started: Date
        var finished: Date?
        var phase = Phase.running
        var message = ""
        var exitCode: Int32?
        var outputs: [String: String] = [:]
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
        var attemptLog: [Attempt] = []
        /// The template has a retryStrategy: Argo records the step as a Retry node.
        var retried = false
        /// Why a Retry stopped short of success, in Argo's words ("No more retries left").
        var retryEnd = ""
        var failureTolerated = false
    }

    public let id: String
    public let name: String
    /// `workflow/template`, or the template's name when it is in the same WorkflowTemplate.
    public let template: String
    let reference: TemplateReference?
    let placement: Placement?
    private let state = Mutex(State())

    init(id: String, name: String, template: String, reference: TemplateReference? = nil, placement: Placement? = nil) {
        self.id = id
        self.name = name
        self.template = template
        self.reference = reference
        self.placement = placement
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
    /// How many times its container ran.
    public var attempts: Int { state.withLock { $0.attemptLog.count } }

    /// Starts the next run of its container.
    func beginAttempt() { state.withLock { $0.attemptLog.append(Attempt(started: Date())) } }

    /// Its template has a retryStrategy: Argo records it as a Retry node over its attempts.
    var retried: Bool {
        get { state.withLock { $0.retried } }
        set { state.withLock { $0.retried = newValue } }
    }

    /// Ends the current run of its container; the node takes on its outcome.
    func endAttempt(phase: Phase, message: String, exitCode: Int32?, outputs: [String: String]) {
        state.withLock {
            guard !$0.attemptLog.isEmpty else { return }
            let last = $0.attemptLog.count - 1
            $0.attemptLog[last].finished = Date()
            $0.attemptLog[last].phase = phase
            $0.attemptLog[last].message = message
            $0.attemptLog[last].exitCode = exitCode
            $0.attemptLog[last].outputs = outputs
            $0.exitCode = exitCode
            $0.message = message
            $0.outputs = outputs
        }
    }

    var retryEnd: String {
        get { state.withLock { $0.retryEnd } }
        set { state.withLock { $0.retryEnd = newValue } }
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
