extension WorkflowExecutor {
    /// A DAG template: waves of tasks in DAGSchedule's order, each wave at once; a task whose
    /// dependency failed is Omitted, and any failure fails the DAG once every wave ended.
    func runDAG(
        _ tasks: [WorkflowStep], owner: WorkflowTemplate, scope: inout [String: String], node: RunNode, context: Context, parallelism: Int?
    ) throws {
        var schedule = DAGSchedule(tasks)
        while let wave = try schedule.nextWave() {
            for skipped in wave.omitted {
                let child = makeNode(
                    name: skipped.name, reference: skipped.reference,
                    placement: RunNode.Placement(task: skipped.name, dependencies: skipped.dependencies))
                child.phase = .omitted
                child.kind = .skipped
                child.message = "omitted: depends on a failed task"
                node.add(child)
            }
            let results = try runTasks(
                wave.runnable, owner: owner, scope: scope, node: node, context: context, parallelism: parallelism, group: nil)
            for (task, child) in results {
                for (key, value) in child.outputs { scope["tasks.\(task.name).outputs.parameters.\(key)"] = value }
                if child.phase == .failed && task.continueOnFailed { child.failureTolerated = true }
                schedule.record(task.name, failed: child.phase == .failed && !task.continueOnFailed)
            }
        }
        if !schedule.failed.isEmpty {
            // A failed DAG node carries no message of its own in Argo (dag.go).
            node.phase = .failed
            node.message = ""
        }
    }
}
