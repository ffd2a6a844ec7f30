extension WorkflowExecutor {
    /// A steps template: its groups one after another, the steps of a group at once; the first
    /// failed step a group does not tolerate fails the node and ends the template (steps.go).
    func runSteps(
        _ groups: [[WorkflowStep]], owner: WorkflowTemplate, scope: inout [String: String], node: RunNode, context: Context,
        parallelism: Int?
    ) throws {
        for (index, group) in groups.enumerated() {
            let results = try runTasks(
                group, owner: owner, scope: scope, node: node, context: context, parallelism: parallelism, group: index)
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
    }
}
