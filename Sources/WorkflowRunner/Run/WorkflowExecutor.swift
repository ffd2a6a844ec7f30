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

    public init(
        binaries: String, engine: ContainerEngine = .local, extraEnvironment: [String: String] = [:], kubernetes: KubernetesConfiguration?,
        backoffScale: Double = 1, namespace: String = "argo-events"
    ) {
        self.binaries = binaries
        self.engine = engine
        self.extraEnvironment = extraEnvironment
        self.kubernetes = kubernetes
        self.backoffScale = backoffScale
        self.namespace = namespace
    }
}

/// One node of the run, as `argo get` shows it.
public final class RunNode: @unchecked Sendable {
    public enum Phase: String, Sendable { case pending, running, succeeded, failed, omitted }

    public let name: String
    public let template: String
    private let lock = NSLock()
    private var _children: [RunNode] = []
    public var phase: Phase = .pending
    public var message = ""
    public var started: Date?
    public var finished: Date?
    public var outputs: [String: String] = [:]
    public var attempts = 0

    init(name: String, template: String) {
        self.name = name
        self.template = template
    }

    public var children: [RunNode] { lock.withLock { _children } }
    func add(_ child: RunNode) { lock.withLock { _children.append(child) } }
}

/// Runs a WorkflowTemplate on this machine: containers as processes, DAG tasks in parallel,
/// parameters, env from ConfigMaps and Secrets, retries on exit codes, outputs from files.
public final class WorkflowExecutor: @unchecked Sendable {
    let templates: [String: WorkflowTemplate]
    let options: RunOptions
    let workflowName: String
    let workflowUID = UUID().uuidString.lowercased()
    let workDirectory: String
    let log: @Sendable (String) -> Void

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
        var values: [String: String] = [:]
        for argument in template.arguments {
            guard let value = parameters[argument.name] ?? argument.value else {
                throw RunError("parameter \(argument.name) of \(workflow) has no value (-p \(argument.name)=...)")
            }
            values[argument.name] = value
        }
        for name in parameters.keys where !template.arguments.contains(where: { $0.name == name }) {
            throw RunError("\(workflow) has no parameter \(name)")
        }
        let root = RunNode(name: workflowName, template: template.entrypoint)
        let context = Context(workflow: template, workflowParameters: values)
        try execute(template.entrypoint, in: template, arguments: [:], node: root, context: context)
        return root
    }

    struct Context {
        var workflow: WorkflowTemplate
        var workflowParameters: [String: String]
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
        for input in template.inputs {
            let given =
                try arguments[input.name]
                ?? input.value.map { try ParameterScope(values: scope).substitute($0, where: "\(template.name) input \(input.name)") }
            guard let value = given else { throw RunError("\(template.name): input \(input.name) has no value") }
            scope["inputs.parameters.\(input.name)"] = value
        }
        switch template.body {
        case .container(let image, let args, let env):
            try runContainer(template, image: image, args: args, env: env, scope: scope, node: node)
        case .dag(let tasks):
            try runDAG(tasks, owner: owner, scope: &scope, node: node, context: context)
            try collectOutputs(template, scope: scope, node: node)
        case .steps(let groups):
            for group in groups {
                try runParallel(group, owner: owner, scope: &scope, node: node, context: context, prefix: "steps")
                if node.phase == .failed { break }
            }
            try collectOutputs(template, scope: scope, node: node)
        }
    }

    func collectOutputs(_ template: Template, scope: [String: String], node: RunNode) throws {
        guard node.phase != .failed else { return }
        for output in template.outputs {
            if let expression = output.parameter {
                node.outputs[output.name] = try ParameterScope(values: scope).substitute(
                    expression, where: "\(template.name) output \(output.name)")
            }
        }
        node.phase = .succeeded
    }

    func runDAG(_ tasks: [Task], owner: WorkflowTemplate, scope: inout [String: String], node: RunNode, context: Context) throws {
        var done: Set<String> = []
        var failed: Set<String> = []
        var remaining = tasks
        while !remaining.isEmpty {
            let ready = remaining.filter { Set($0.dependencies).isSubset(of: done.union(failed)) }
            guard !ready.isEmpty else { throw RunError("the DAG cannot progress (a cycle?)") }
            remaining.removeAll { task in ready.contains { $0.name == task.name } }
            let runnable = ready.filter { Set($0.dependencies).isDisjoint(with: failed) }
            for skipped in ready where !runnable.contains(where: { $0.name == skipped.name }) {
                let child = RunNode(name: skipped.name, template: WorkflowLint.describe(skipped.reference))
                child.phase = .omitted
                child.message = "omitted: depends on a failed task"
                node.add(child)
                failed.insert(skipped.name)
            }
            let results = try runTasks(runnable, owner: owner, scope: scope, node: node, context: context)
            for (task, child) in results {
                for (key, value) in child.outputs { scope["tasks.\(task.name).outputs.parameters.\(key)"] = value }
                if child.phase == .succeeded { done.insert(task.name) } else { failed.insert(task.name) }
            }
        }
        if !failed.isEmpty {
            node.phase = .failed
            node.message = "child failed"
        }
    }

    func runParallel(
        _ tasks: [Task], owner: WorkflowTemplate, scope: inout [String: String], node: RunNode, context: Context, prefix: String
    ) throws {
        let results = try runTasks(tasks, owner: owner, scope: scope, node: node, context: context)
        for (task, child) in results {
            for (key, value) in child.outputs { scope["\(prefix).\(task.name).outputs.parameters.\(key)"] = value }
            if child.phase != .succeeded {
                node.phase = .failed
                node.message = "child failed"
            }
        }
    }

    /// Runs tasks at the same time, each on a thread of its own, and waits for all.
    func runTasks(_ tasks: [Task], owner: WorkflowTemplate, scope: [String: String], node: RunNode, context: Context) throws -> [(
        Task, RunNode
    )] {
        let results = Mutex<[(Int, RunNode, RunError?)]>([])
        let group = DispatchGroup()
        for (index, task) in tasks.enumerated() {
            let child = RunNode(name: task.name, template: WorkflowLint.describe(task.reference))
            node.add(child)
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                var failure: RunError?
                do {
                    var arguments: [String: String] = [:]
                    for argument in task.arguments {
                        arguments[argument.name] = try ParameterScope(values: scope).substitute(
                            argument.value ?? "", where: "task \(task.name) argument \(argument.name)")
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
                }
                results.withLock { $0.append((index, child, nil)) }
            }
        }
        group.wait()
        return results.withLock { $0 }.sorted { $0.0 < $1.0 }.map { (tasks[$0.0], $0.1) }
    }

    // MARK: - Containers

    func runContainer(
        _ template: Template, image: String, args: [String], env: [EnvironmentVariable], scope: [String: String], node: RunNode
    ) throws {
        let substitute = ParameterScope(values: scope)
        let arguments = try args.map { try substitute.substitute($0, where: "\(template.name) args") }
        let step = image.split(separator: "/").last.map { String($0.split(separator: ":").first ?? "") } ?? image
        let podName = "\(workflowName)-\(node.name)-\(Int.random(in: 1000...9999))"
        let podUID = UUID().uuidString.lowercased()
        var environment = ["PATH": "/usr/bin:/bin", "HOSTNAME": podName]
        if let kubeconfig = ProcessInfo.processInfo.environment["KUBECONFIG"] { environment["KUBECONFIG"] = kubeconfig }
        for variable in env {
            switch variable.source {
            case .value(let value):
                environment[variable.name] = try substitute.substitute(value, where: "\(template.name) env \(variable.name)")
            case .field(let path):
                environment[variable.name] = path == "metadata.uid" ? podUID : path == "metadata.name" ? podName : options.namespace
            case .configMap(let name, let key, let optional), .secret(let name, let key, let optional):
                let isSecret: Bool
                if case .secret = variable.source { isSecret = true } else { isSecret = false }
                let objectName = try substitute.substitute(name, where: "\(template.name) env \(variable.name)")
                if let value = try lookup(objectName, key: key, secret: isSecret) {
                    environment[variable.name] = value
                } else if !optional {
                    throw RunError(
                        "\(isSecret ? "Secret" : "ConfigMap") \(objectName) has no key \(key) (env \(variable.name)); the pod would not start"
                    )
                }
            }
        }
        environment.merge(options.extraEnvironment) { _, extra in extra }
        let retry = template.retry
        let maxAttempts = (retry?.limit ?? 0) + 1
        var delay = retry?.backoffSeconds ?? 1
        for attempt in 1...maxAttempts {
            node.attempts = attempt
            let outputs = workDirectory + "/\(node.name)-\(attempt)"
            try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
            let (status, lastLine) = try launch(
                step: step, image: image, arguments: arguments, environment: environment, outputs: outputs,
                deadline: template.activeDeadlineSeconds)
            if status == 0 {
                for output in template.outputs {
                    guard let path = output.path else { continue }
                    let file = outputs + "/" + String(path.dropFirst("/tmp/outputs/".count))
                    guard let value = try? String(contentsOfFile: file, encoding: .utf8) else {
                        node.phase = .failed
                        node.message = "output \(output.name) was not written (\(path))"
                        return
                    }
                    node.outputs[output.name] = value
                }
                node.phase = .succeeded
                node.message = attempt > 1 ? "succeeded on attempt \(attempt)" : ""
                return
            }
            node.message = "exit \(status): \(lastLine)"
            let again = try retry?.expression.map { try RetryExpression.evaluate($0, exitCode: status) } ?? (retry != nil)
            guard attempt < maxAttempts, again else { break }
            log("\(node.name): exit \(status), retrying in \(Int(delay)) s (attempt \(attempt + 1) of \(maxAttempts))")
            Thread.sleep(forTimeInterval: delay * options.backoffScale)
            delay = min(delay * (retry?.backoffFactor ?? 2), retry?.backoffMaxSeconds ?? .infinity)
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

    func launch(step: String, image: String, arguments: [String], environment: [String: String], outputs: String, deadline: Double?) throws
        -> (Int32, String)
    {
        let process = Process()
        switch options.engine {
        case .local:
            process.executableURL = URL(fileURLWithPath: options.binaries + "/" + step)
            process.arguments = arguments
            process.environment = environment.merging(["OUTPUTS_DIR": outputs]) { $1 }
        case .podman:
            var podman = ["run", "--rm", "--network=host", "-v", "\(outputs):/tmp/outputs"]
            for (key, value) in environment where key != "PATH" && key != "HOSTNAME" { podman += ["-e", "\(key)=\(value)"] }
            if let kubeconfig = environment["KUBECONFIG"] { podman += ["-v", "\(kubeconfig):\(kubeconfig):ro"] }
            for (key, value) in environment where key.hasSuffix("_CA_FILE") { podman += ["-v", "\(value):\(value):ro"] }
            podman += ["--hostname", environment["HOSTNAME"] ?? "step", "baremetal-steps/\(step):0.1.0"] + arguments
            process.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
            process.arguments = podman
            process.environment = ProcessInfo.processInfo.environment
            try? FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: outputs)
        }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let timer = deadline.map { seconds in
            DispatchWorkItem { if process.isRunning { process.terminate() } }.also {
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: $0)
            }
        }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        timer?.cancel()
        let lines = text.split(separator: "\n").map(String.init)
        return (process.terminationStatus, lines.last ?? "")
    }
}

extension DispatchWorkItem {
    fileprivate func also(_ body: (DispatchWorkItem) -> Void) -> DispatchWorkItem {
        body(self)
        return self
    }
}
