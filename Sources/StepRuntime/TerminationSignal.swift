import StepRuntime
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGTERM (Argo's deadline, `argo stop`, a node drain) and SIGINT, handled so that the work
/// stops rather than races on: once a signal came, no new request starts but clean-up (deleting
/// sessions), an upload in flight is aborted, other requests in flight get `inFlightBound`
/// seconds, and sleeps end. The main thread then unwinds through its own clean-up and `Step`
/// reports the stop. If it has not exited within `mainThreadGrace`, the signal thread deletes
/// what is registered and ends the process itself, well inside Kubernetes' 30 s grace.
public enum TerminationSignal {
    /// How long requests that are not uploads may go on after the signal.
    public static let inFlightBound: Double = 3
    /// How long the main thread has to stop on its own.
    public static let mainThreadGrace: Double = 15

    private struct Received: Sendable {
        var name: String
        var at: Double
    }

    private static let received = Mutex<Received?>(nil)

    /// Whether a stop was asked for.
    public static var requested: Bool { received.withLock { $0 != nil } }

    /// "SIGTERM" or "SIGINT", once one came.
    public static var signalName: String? { received.withLock { $0?.name } }

    /// Seconds since the signal; nil before one.
    public static var secondsSinceRequest: Double? {
        received.withLock { $0.map { StepClock.monotonic() - $0.at } }
    }

    /// Ends the work at a point where nothing is in flight (after a wait) once a stop was asked for.
    public static func throwIfRequested() throws(StepError) {
        guard let name = signalName else { return }
        throw .transient("\(name) received while waiting: nothing more was started")
    }

    /// Marks the stop as asked for, as a signal does (and tests of the stop path do directly).
    public static func request(_ name: String) {
        received.withLock { if $0 == nil { $0 = Received(name: name, at: StepClock.monotonic()) } }
    }

    /// Blocks SIGTERM and SIGINT for the process, then waits for them on a dedicated thread.
    /// Call first thing, before other threads exist. `cleanUp` runs only when the main thread
    /// did not stop within `mainThreadGrace`.
    public static func install(cleanUp: @escaping @Sendable () -> Void) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let box = CleanUpBox(cleanUp)
        BackgroundThread.start { awaitSignal(box) }
    }

    /// The signal thread: waits for a signal, marks the stop, gives the main thread its grace,
    /// then cleans up and ends the process itself.
    private static func awaitSignal(_ box: CleanUpBox) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        var number: Int32 = 0
        sigwait(&signals, &number)
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        request(name)
        Log.info("\(name) received: stopping (no new change starts; sessions are closed on the way out)")
        var left = timespec(tv_sec: Int(mainThreadGrace), tv_nsec: 0)
        var remaining = timespec()
        while nanosleep(&left, &remaining) != 0 && errno == EINTR { left = remaining }
        box.cleanUp()
        Log.failure(
            "stopped by \(name): the work did not wind down within \(StepDuration.wholeText(mainThreadGrace)); \(ChangeLedger.stopSummary); sessions closed"
        )
        _exit(ChangeLedger.stopExitStatus.rawValue)
    }

    private final class CleanUpBox: Sendable {
        let cleanUp: @Sendable () -> Void
        init(_ cleanUp: @escaping @Sendable () -> Void) { self.cleanUp = cleanUp }
    }
}
