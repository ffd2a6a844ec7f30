import Foundation
import JSON
import Kubernetes
import Synchronization

/// How the local runner runs containers: the local binary of the image's step, or the image.
public enum ContainerEngine: String, Sendable {
    case local
    case podman
}

/// What the runner needs besides the templates.
public struct RunOptions: Sendable {
    /// Where the step binaries are (for the local engine).
    public var binaries: String
    public var engine: ContainerEngine
    /// Extra environment for every step (like `act --env`): OBM_PORT, CA files for simulators.
    public var extraEnvironment: [String: String]
    /// ConfigMaps and Secrets come from this cluster (the simulator, or a real one).
    public var kubernetes: KubernetesConfiguration?
    /// Multiplies retry backoffs (tests: 0.01).
    public var backoffScale: Double
    public var namespace: String
    /// Publish the run as an Argo Workflow object to `kubernetes` (what fleet-rollout reads).
    public var publishesStatus: Bool

    public init(
        binaries: String, engine: ContainerEngine = .local, extraEnvironment: [String: String] = [:], kubernetes: KubernetesConfiguration?,
        backoffScale: Double = 1, namespace: String = "argo-events", publishesStatus: Bool = true
    ) {
        self.publishesStatus = publishesStatus
        self.binaries = binaries
        self.engine = engine
        self.extraEnvironment = extraEnvironment
        self.kubernetes = kubernetes
        self.backoffScale = backoffScale
        self.namespace = namespace
    }
}

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
    private var publisher: WorkflowStatusPublisher? { publisherSlot.withLock { $0 } }

    public init(templates: [String: WorkflowTemplate], options: RunOptions, workflow: String, log: @escaping @Sendable (String) -> Void)
        throws
    {
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
            try collectOutputs(template, scope: scope, node: node)
        case .steps(let groups):
            node.kind = .steps
            for (index, group) in groups.enumerated() {
                let results = try runTasks(
                    group, owner: owner, scope: scope, node: node, context: context, parallelism: template.parallelism, group: index)
                for (task, child) in results {
                    for (key, value) in child.outputs { scope["steps.\(task.name).outputs.parameters.\(key)"] = value }
                    if child.phase == .failed && task.continueOnFailed { child.failureTolerated = true }
                    if child.phase == .failed && !task.continueOnFailed && node.phase != .failed {
                        // Argo's StepGroup message, which the Steps node takes on (steps.go).
                        node.phase = .failed
                        node.message = "child '\(child.id)' failed"
                    }
                }
                if node.phase == .failed { break }
            }
            try collectOutputs(template, scope: scope, node: node)
        }
    }

    func collectOutputs(_ template: Template, scope: [String: String], node: RunNode) throws {
        guard node.phase != .failed else { return }
        var outputs = node.outputs
        for output in template.outputs {
            if let expression = output.parameter {
                outputs[output.name] = try ParameterScope(values: scope).substitute(
                    expression, where: "\(template.name) output \(output.name)")
            }
        }
        node.outputs = outputs
        node.phase = .succeeded
    }

    func runDAG(
        _ tasks: [WorkflowStep], owner: WorkflowTemplate, scope: inout [String: String], node: RunNode, context: Context, parallelism: Int?
    ) throws {
        var done: Set<String> = []
        var failed: Set<String> = []
        var remaining = tasks
        while !remaining.isEmpty {
            let ready = remaining.filter { Set($0.dependencies).isSubset(of: done.union(failed)) }
            guard !ready.isEmpty else { throw RunError("the DAG cannot progress (a cycle?)") }
            remaining.removeAll { task in ready.contains { $0.name == task.name } }
            let runnable = ready.filter { Set($0.dependencies).isDisjoint(with: failed) }
            for skipped in ready where !runnable.contains(where: { $0.name == skipped.name }) {
                let child = makeNode(
                    name: skipped.name, reference: skipped.reference,
                    placement: RunNode.Placement(task: skipped.name, dependencies: skipped.dependencies))
                child.phase = .omitted
                child.kind = .skipped
                child.message = "omitted: depends on a failed task"
                node.add(child)
                failed.insert(skipped.name)
            }
            let results = try runTasks(
                runnable, owner: owner, scope: scope, node: node, context: context, parallelism: parallelism, group: nil)
            for (task, child) in results {
                for (key, value) in child.outputs { scope["tasks.\(task.name).outputs.parameters.\(key)"] = value }
                if child.phase == .failed && task.continueOnFailed { child.failureTolerated = true }
                if child.phase == .failed && !task.continueOnFailed { failed.insert(task.name) } else { done.insert(task.name) }
            }
        }
        if !failed.isEmpty {
            // A failed DAG node carries no message of its own in Argo (dag.go).
            node.phase = .failed
            node.message = ""
        }
    }

    /// One task to start: a task as written, or one item of its fan-out.
    struct Instance {
        var task: WorkflowStep
        var name: String
        var scope: [String: String]
    }

    /// A task's instances: itself, or one per item of its withParam list, named as Argo names
    /// them (`task(0:item)`, FanOutName).
    func instances(of task: WorkflowStep, scope: [String: String]) throws -> [Instance] {
        guard let withParam = task.withParam else { return [Instance(task: task, name: task.name, scope: scope)] }
        let text = try ParameterScope(values: scope).substitute(withParam, where: "\(task.name) withParam")
        guard let items = (try? JSONValue(parsing: text))?.arrayValue else {
            throw RunError("\(task.name): withParam is not a JSON list: \(text.prefix(200))")
        }
        return items.enumerated().map { index, item in
            var itemScope = scope
            let itemText = item.stringValue ?? item.serialized
            itemScope["item"] = itemText
            for member in item.objectValue ?? [] { itemScope["item.\(member.key)"] = member.value.stringValue ?? member.value.serialized }
            return Instance(task: task, name: FanOutName.of(task: task.name, index: index, item: item), scope: itemScope)
        }
    }

    /// Runs tasks at the same time, each on a thread of its own, at most `parallelism` at once
    /// and started in order, and waits for all. Returns one result per instance.
    func runTasks(
        _ tasks: [WorkflowStep], owner: WorkflowTemplate, scope: [String: String], node: RunNode, context: Context, parallelism: Int?,
        group: Int?
    ) throws -> [(WorkflowStep, RunNode)] {
        let expanded = try tasks.flatMap { try instances(of: $0, scope: scope) }
        let results = Mutex<[(Int, RunNode)]>([])
        let running = DispatchGroup()
        let slots = DispatchSemaphore(value: parallelism ?? max(expanded.count, 1))
        for (index, instance) in expanded.enumerated() {
            let task = instance.task
            let child = makeNode(
                name: instance.name, reference: task.reference,
                placement: RunNode.Placement(
                    group: group, task: task.name, dependencies: task.dependencies, fannedOut: task.withParam != nil))
            node.add(child)
            if let when = task.when {
                // Judged here, not thrown: threads of earlier instances may be running already.
                let holds: Bool
                do {
                    holds = try WhenExpression.evaluate(
                        try ParameterScope(values: instance.scope).substitute(when, where: "\(instance.name) when"))
                } catch {
                    child.phase = .failed
                    child.message = "\(error)"
                    results.withLock { $0.append((index, child)) }
                    continue
                }
                if !holds {
                    child.phase = .skipped
                    child.kind = .skipped
                    child.message = "when '\(when)' evaluated false"
                    results.withLock { $0.append((index, child)) }
                    continue
                }
            }
            slots.wait()
            running.enter()
            Thread.detachNewThread { [self] in
                defer {
                    slots.signal()
                    running.leave()
                }
                var failure: RunError?
                do {
                    var arguments: [String: String] = [:]
                    for argument in task.arguments {
                        arguments[argument.name] = try ParameterScope(values: instance.scope).substitute(
                            argument.value ?? "", where: "\(instance.name) argument \(argument.name)")
                    }
                    let target =
                        try task.reference.workflowTemplate.map { name -> WorkflowTemplate in
                            guard let found = templates[name] else { throw RunError("templateRef \(name) does not exist") }
                            return found
                        } ?? owner
                    try execute(task.reference.template, in: target, arguments: arguments, node: child, context: context)
                } catch let error as RunError {
                    failure = error
                } catch {
                    failure = RunError("\(error)")
                }
                if let failure {
                    child.phase = .failed
                    child.message = failure.description
                    child.finished = Date()
                }
                publisher?.publish()
                results.withLock { $0.append((index, child)) }
            }
        }
        running.wait()
        return results.withLock { $0 }.sorted { $0.0 < $1.0 }.map { (expanded[$0.0].task, $0.1) }
    }

    // MARK: - Containers

    func runContainer(
        _ template: Template, image: String, args: [String], env: [EnvironmentVariable], scope: [String: String], node: RunNode
    ) throws {
        let substitute = ParameterScope(values: scope)
        let arguments = try args.map { try substitute.substitute($0, where: "\(template.name) args") }
        let step = image.split(separator: "/").last.map { String($0.split(separator: ":").first ?? "") } ?? image
        let podName = "\(workflowName)-\(node.name)-\(node.id.split(separator: "-").last ?? "0")"
        let podUID = UUID().uuidString.lowercased()
        var environment = try PodEnvironment(
            template: template, scope: substitute, podName: podName, podUID: podUID, namespace: options.namespace, lookup: lookup
        ).resolve(env)
        environment.merge(options.extraEnvironment) { _, extra in extra }
        let retry = template.retry
        let maxAttempts = (retry?.limit ?? 0) + 1
        let firstStart = Date()
        // Argo: maxDuration counts from the first attempt's start and becomes each retried
        // pod's own deadline (operator.go processNodeRetries, opts.executionDeadline).
        var maxDurationDeadline: Date?
        for attempt in 1...maxAttempts {
            var podDeadline = template.activeDeadlineSeconds
            if let maxDurationDeadline {
                let left = max(0, maxDurationDeadline.timeIntervalSinceNow)
                podDeadline = min(podDeadline ?? left, left)
            }
            node.beginAttempt()
            // By node id: in a fan-out many nodes share a name (every host has its get-obm-ip).
            let outputs = workDirectory + "/\(node.id)-\(attempt)"
            try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
            let terminationLog = outputs + ".termination-log"
            FileManager.default.createFile(atPath: terminationLog, contents: nil)
            let (status, lastLine) = try ContainerLauncher(engine: options.engine, binaries: options.binaries).launch(
                step: step, arguments: arguments,
                environment: environment.merging(["TERMINATION_MESSAGE_PATH": terminationLog]) { $1 }, outputs: outputs,
                deadline: podDeadline)
            let finished = Date()
            // As Argo does, outputs a failed container wrote are kept (a summary that fails the
            // workflow still shows).
            var written: [String: String] = [:]
            var missing: String?
            for output in template.outputs {
                guard let path = output.path else { continue }
                let file = outputs + "/" + String(path.dropFirst("/tmp/outputs/".count))
                if let value = try? String(contentsOfFile: file, encoding: .utf8) {
                    written[output.name] = value
                } else if missing == nil {
                    missing = "output \(output.name) was not written (\(path))"
                }
            }
            if status == 0 {
                if let missing {
                    node.endAttempt(phase: .failed, message: missing, exitCode: status, outputs: written)
                    node.phase = .failed
                    return
                }
                node.endAttempt(phase: .succeeded, message: "", exitCode: status, outputs: written)
                node.phase = .succeeded
                if attempt > 1 { node.message = "succeeded on attempt \(attempt)" }
                return
            }
            // As Kubernetes and Argo word it: the termination message, or with
            // FallbackToLogsOnError the end of the log when the step left none.
            let terminationMessage = (try? String(contentsOfFile: terminationLog, encoding: .utf8)) ?? ""
            // Argo since v3.7 (operator.go): "main: Error (exit code N)", then ": " and the
            // termination message (with FallbackToLogsOnError, the log's end) when there is one.
            let said = terminationMessage.isEmpty ? lastLine : terminationMessage
            node.endAttempt(
                phase: .failed, message: "main: Error (exit code \(status))" + (said.isEmpty ? "" : ": " + said), exitCode: status,
                outputs: written)
            let again = try retry?.expression.map { try RetryExpression.evaluate($0, exitCode: status) } ?? (retry != nil)
            // Argo's Retry node messages, judged in its order: the limit, then the expression
            // (operator.go processNodeRetries).
            guard attempt < maxAttempts else {
                node.retryEnd = "No more retries left"
                break
            }
            guard again else {
                node.retryEnd = "retryStrategy.expression evaluated to false"
                break
            }
            var delay = 0.0
            if let backoff = retry?.backoff {
                if let maxDuration = backoff.maxDuration {
                    let deadline = firstStart.addingTimeInterval(maxDuration)
                    maxDurationDeadline = deadline
                    if Date() > deadline {
                        node.retryEnd = "Max duration limit exceeded"
                        log("\(node.name): exit \(status), not retried: \(node.retryEnd)")
                        break
                    }
                }
                delay = backoff.wait(afterAttempts: attempt)
                if let maxDurationDeadline, finished.addingTimeInterval(delay * options.backoffScale) > maxDurationDeadline {
                    node.retryEnd = "Backoff would exceed max duration limit"
                    log("\(node.name): exit \(status), not retried: \(node.retryEnd)")
                    break
                }
            }
            log("\(node.name): exit \(status), retrying in \(Int(delay)) s (attempt \(attempt + 1) of \(maxAttempts))")
            Thread.sleep(forTimeInterval: delay * options.backoffScale)
        }
        node.phase = .failed
    }

    func lookup(_ name: String, key: String, secret: Bool) throws -> String? {
        guard let configuration = options.kubernetes else {
            throw RunError("env from \(secret ? "Secret" : "ConfigMap") \(name) needs a Kubernetes API (KUBECONFIG)")
        }
        do {
            // A client per lookup: DAG tasks run on threads of their own, and a client is one
            // connection used by one thread at a time.
            let kubernetes = try KubernetesClient(configuration: configuration)
            guard let object = try secret ? kubernetes.secret(named: name) : kubernetes.configMap(named: name) else { return nil }
            guard let value = object["data"]?[key]?.stringValue else { return nil }
            if !secret { return value }
            return Data(base64Encoded: value).map { String(decoding: $0, as: UTF8.self) }
        } catch {
            throw RunError(error.message)
        }
    }
}
