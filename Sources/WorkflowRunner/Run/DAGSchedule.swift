/// The order a DAG's tasks run in, as Argo's dag.go decides it: a task starts once every task it
/// depends on has ended, and is omitted when one of them failed (its own dependents then count
/// it as failed too). Pure bookkeeping: the executor runs each wave it hands out.
struct DAGSchedule {
    /// What may happen now: tasks to run at once, and tasks to mark Omitted.
    struct Wave {
        var runnable: [WorkflowStep]
        var omitted: [WorkflowStep]
    }

    private var remaining: [WorkflowStep]
    private var done: Set<String> = []
    private(set) var failed: Set<String> = []

    init(_ tasks: [WorkflowStep]) { remaining = tasks }

    /// The next wave, nil once every task was handed out; an error when the tasks left wait on
    /// each other (lint refuses cycles; this is the runner's own guard).
    mutating func nextWave() throws(RunError) -> Wave? {
        guard !remaining.isEmpty else { return nil }
        let ended = done.union(failed)
        let ready = remaining.filter { Set($0.dependencies).isSubset(of: ended) }
        guard !ready.isEmpty else {
            throw RunError("the DAG cannot progress (a cycle?): \(remaining.map(\.name).sorted().joined(separator: ", ")) wait")
        }
        let readyNames = Set(ready.map(\.name))
        remaining.removeAll { readyNames.contains($0.name) }
        var wave = Wave(runnable: [], omitted: [])
        for task in ready {
            if Set(task.dependencies).isDisjoint(with: failed) {
                wave.runnable.append(task)
            } else {
                wave.omitted.append(task)
                failed.insert(task.name)
            }
        }
        return wave
    }

    /// A task of the last wave ended; a failure its task tolerates (continueOn.failed) is done.
    mutating func record(_ task: String, failed hasFailed: Bool) {
        if hasFailed { failed.insert(task) } else { done.insert(task) }
    }
}
