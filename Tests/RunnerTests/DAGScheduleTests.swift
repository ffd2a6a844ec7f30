import Testing

@testable import WorkflowRunner

/// DAG order as Argo's dag.go runs it: waves of tasks whose dependencies ended, a task omitted
/// when one of them failed, and the omission passed on to its own dependents.
@Suite struct DAGScheduleTests {
    func task(_ name: String, _ dependencies: String...) -> WorkflowStep {
        WorkflowStep(
            name: name, reference: TemplateReference(workflowTemplate: nil, template: name), dependencies: dependencies, arguments: [],
            withParam: nil, when: nil, continueOnFailed: false)
    }

    /// Every wave as names, recording each runnable task with the outcome `failing` gives it.
    func waves(_ tasks: [WorkflowStep], failing: Set<String> = []) throws -> [(run: [String], omitted: [String])] {
        var schedule = DAGSchedule(tasks)
        var seen: [(run: [String], omitted: [String])] = []
        while let wave = try schedule.nextWave() {
            seen.append((wave.runnable.map(\.name), wave.omitted.map(\.name)))
            for task in wave.runnable { schedule.record(task.name, failed: failing.contains(task.name)) }
        }
        return seen
    }

    @Test func aDiamondRunsInThreeWavesInTheOrderWritten() throws {
        let seen = try waves([task("select"), task("sync", "select"), task("update", "select"), task("summary", "sync", "update")])
        #expect(seen.map(\.run) == [["select"], ["sync", "update"], ["summary"]])
        #expect(seen.allSatisfy { $0.omitted.isEmpty })
    }

    @Test func aFailureOmitsItsDependentsAndTheirsButNotItsSiblings() throws {
        let tasks = [task("a"), task("b", "a"), task("c", "a"), task("d", "b"), task("e", "d"), task("f", "c")]
        let seen = try waves(tasks, failing: ["b"])
        #expect(seen.map(\.run) == [["a"], ["b", "c"], ["f"], []])
        #expect(seen.map(\.omitted) == [[], [], ["d"], ["e"]])
    }

    @Test func aTaskWithAnOmittedAndASucceededDependencyIsOmitted() throws {
        var schedule = DAGSchedule([task("a"), task("b"), task("c", "a"), task("d", "b", "c")])
        let first = try #require(try schedule.nextWave())
        #expect(first.runnable.map(\.name) == ["a", "b"])
        schedule.record("a", failed: true)
        schedule.record("b", failed: false)
        let second = try #require(try schedule.nextWave())
        #expect(second.runnable.isEmpty && second.omitted.map(\.name) == ["c"])
        let third = try #require(try schedule.nextWave())
        #expect(third.omitted.map(\.name) == ["d"])
        #expect(try schedule.nextWave() == nil)
        #expect(schedule.failed == ["a", "c", "d"])
    }

    @Test func tasksWaitingOnEachOtherAreNamed() throws {
        var schedule = DAGSchedule([task("start"), task("x", "y"), task("y", "x")])
        #expect(try schedule.nextWave()?.runnable.map(\.name) == ["start"])
        schedule.record("start", failed: false)
        #expect(throws: RunError.self) { try schedule.nextWave() }
        do {
            _ = try schedule.nextWave()
        } catch {
            #expect(error.description == "the DAG cannot progress (a cycle?): x, y wait")
        }
    }
}
