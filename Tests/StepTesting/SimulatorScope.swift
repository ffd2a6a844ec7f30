import Foundation
import Synchronization
import Testing

/// The simulators one test started, stopped when that test ends: a suite marked
/// `.stopsSimulators` gives each of its tests a scope, and SimulatorProcess.start adopts every
/// process it starts into the current one. Without a scope (a simulator shared by the whole
/// run, such as SimulatedNautobot.shared) a simulator stops when the test process exits.
public final class SimulatorScope: Sendable {
    @TaskLocal public static var current: SimulatorScope?

    private let pids = Mutex<[Int32]>([])

    public init() {}

    func adopt(_ pid: Int32) { pids.withLock { $0.append(pid) } }

    /// The processes this scope started and has not stopped yet.
    public var running: [Int32] { pids.withLock { $0 } }

    /// SIGTERM to every simulator of the scope, then SIGKILL to any still there after 5 s (a
    /// simulator winds down in milliseconds; one that does not must not outlive its test).
    public func stopAll() {
        let stopping = pids.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for pid in stopping { kill(pid, SIGTERM) }
        for pid in stopping {
            var waited = 0
            while kill(pid, 0) == 0 && waited < 500 {
                usleep(10_000)
                waited += 1
            }
            if waited == 500 { kill(pid, SIGKILL) }
        }
    }
}

/// Gives each test of a suite its own SimulatorScope, stopped when the test ends.
public struct StopsSimulators: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let scope = SimulatorScope()
        defer { scope.stopAll() }
        try await SimulatorScope.$current.withValue(scope) { try await function() }
    }
}

extension Trait where Self == StopsSimulators {
    /// Every simulator a test of this suite starts is stopped when that test ends.
    public static var stopsSimulators: Self { Self() }
}
