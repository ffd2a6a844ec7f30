#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain thread for work that must go on while the step's main thread blocks in a request or
/// a wait (renewing a Lease): the steps are synchronous programs, and blocking I/O does not
/// belong on Swift's cooperative pool.
public enum BackgroundThread {
    /// Runs `work` on a new detached thread; false when the system would not start one.
    @discardableResult
    public static func start(_ work: @escaping @Sendable () -> Void) -> Bool {
        let box = WorkBox(work)
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { argument in
                guard let argument else { return nil }
                BackgroundThread.run(Unmanaged<WorkBox>.fromOpaque(argument).takeRetainedValue())
                return nil
            }, Unmanaged.passRetained(box).toOpaque())
        guard started == 0 else {
            Unmanaged.passUnretained(box).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    private static func run(_ box: WorkBox) { box.work() }

    private final class WorkBox: Sendable {
        let work: @Sendable () -> Void
        init(_ work: @escaping @Sendable () -> Void) { self.work = work }
    }
}
