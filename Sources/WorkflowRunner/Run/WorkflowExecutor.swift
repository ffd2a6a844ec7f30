import Foundation
import Kubernetes
import Synchronization

/// Runs a WorkflowTemplate on this machine: containers as processes, DAG tasks and steps in
/// parallel (fanned out over withParam, bounded by parallelism, gated by when), parameters, env
/// from ConfigMaps and Secrets, retries on exit codes, outputs from files; the run's state is
/// published as an Argo Workflow object when there is a Kubernetes API.
public final class WorkflowExecutor: Sendable {
    let templates: [String: WorkflowTemplate]
    let options: RunOptions
    let workflowName: String
    let workflowUID = UUID().uuidString.lowercased()
    let workDirectory: String
    let log: @Sendable (String) -> Void
    private let nodeCount = Atomic<Int>(0)
    /// Set once the run starts, read by every thread of it.
    private let publisherSlot = Mutex<WorkflowStatusPublisher?>(nil)
    var publisher: WorkflowStatusPublisher? { publisherSlot.withLock { $0 } }

    public init(templates: [String: WorkflowTemplate], options: RunOptions, workflow: String, log: @escaping @Sendable (String) -> Void)
        throws
    {
        let problems = WorkflowLint.check(templates)
        guard problems.isEmpty else { throw RunError("the templates do not lint: \(problems.joined(separator: "; "))") }
        self.templates = templates
        self.options = options
        let suffix = String((0..<5).map { _ in "bcdfghjklmnpqrstvwxz2456789".randomElement() ?? "x" })
        workflowName = "\(workflow)-\(suffix)"
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("steps-runner-\(workflowName)").path
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        self.log = log
    }

    public var name: String { workflowName }

    /// Runs the workflow's entrypoint with these parameters; the root node holds the tree.
    public func run(_ workflow: String, parameters: [String: String]) throws -> RunNode {
        guard let template = templates[workflow] else { throw RunError("no WorkflowTemplate named \(workflow)") }
        var values: [(String, String)] = []
        for argument in template.arguments {
            guard let value = parameters[argument.name] ?? argument.value else {
                throw RunError("parameter \(argument.name) of \(workflow) has no value (-p \(argument.name)=...)")
            }
            values.append((argument.name, value))
        }
        for name in parameters.keys where !template.arguments.contains(where: { $0.name == name }) {
            throw RunError("\(workflow) has no parameter \(name)")
        }
        log("running \(workflowName); resources, securityContext, volumes and podGC are accepted but not enforced on this machine")
        let root = makeNode(name: workflowName, reference: TemplateReference(workflowTemplate: nil, template: template.entrypoint))
        if let kubernetes = options.kubernetes, options.publishesStatus {
            let identity = WorkflowStatusPublisher.Identity(
                name: workflowName, uid: workflowUID, namespace: kubernetes.namespace, workflowTemplate: workflow, parameters: values)
            let made = WorkflowStatusPublisher(identity: identity, configuration: kubernetes, root: root, log: log)
            publisherSlot.withLock { $0 = made }
        }
        let context = Context(workflow: template, workflowParameters: Dictionary(values, uniquingKeysWith: { first, _ in first }))
        // As Argo does, the workflow's arguments are the entrypoint's inputs.
        try execute(template.entrypoint, in: template, arguments: context.workflowParameters, node: root, context: context)
        publisher?.publish()
        return root
    }

    struct Context {
        var workflow: WorkflowTemplate
        var workflowParameters: [String: String]
    }

    func makeNode(name: String, reference: TemplateReference, placement: RunNode.Placement? = nil) -> RunNode {
        let number = nodeCount.add(1, ordering: .relaxed).newValue
        return RunNode(
            id: "\(workflowName)-\(number)", name: name, template: WorkflowLint.describe(reference), reference: reference,
            placement: placement)
    }

    func baseScope(_ context: Context) -> [String: String] {
        var values = ["workflow.name": workflowName, "workflow.uid": workflowUID, "workflow.namespace": options.namespace]
        for (key, value) in context.workflowParameters { values["workflow.parameters.\(key)"] = value }
        return values
    }

    func execute(_ templateName: String, in owner: WorkflowTemplate, arguments: [String: String], node: RunNode, context: Context) throws {
        guard let template = owner.template(templateName) else { throw RunError("\(owner.name) has no template \(templateName)") }
        node.started = Date()
        node.phase = .running
        defer { node.finished = Date() }
        var scope = baseScope(context)
        var inputs: [(String, String)] = []
        for input in template.inputs {
            let given =
                try arguments[input.name]
                ?? input.value.map { try ParameterScope(values: scope).substitute($0, where: "\(template.name) input \(input.name)") }
            guard let value = given else { throw RunError("\(template.name): input \(input.name) has no value") }
            scope["inputs.parameters.\(input.name)"] = value
            inputs.append((input.name, value))
        }
        node.inputs = inputs
        switch template.body {
        case .container(let image, let args, let env):
            node.kind = .pod
            node.retried = template.retry != nil
            publisher?.publish()
            try runContainer(template, image: image, args: args, env: env, scope: scope, node: node)
        case .dag(let tasks):
            node.kind = .dag
            try runDAG(tasks, owner: owner, scope: &scope, node: node, context: context, parallelism: template.parallelism)
            try TemplateOutputs.collect(template, scope: scope, node: node)
        case .steps(let groups):
            node.kind = .steps
            try runSteps(groups, owner: owner, scope: &scope, node: node, context: context, parallelism: template.parallelism)
            try TemplateOutputs.collect(template, scope: scope, node: node)
        }
    }

}
