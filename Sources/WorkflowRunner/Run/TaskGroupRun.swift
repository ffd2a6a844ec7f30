import Foundation
import JSON
import Synchronization

extension WorkflowExecutor {
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
}
