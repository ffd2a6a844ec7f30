#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGTERM (Argo's deadline) and SIGINT handled on a thread of their own, so clean-up that needs
/// the network (deleting BMC sessions) can run while the main thread is blocked in a request.
public enum TerminationSignal {
    /// Blocks SIGTERM and SIGINT for the process, then waits for them on a dedicated thread; on
    /// one, runs `cleanUp`, prints one line and exits with status 1 (never retried: the deadline
    /// or an operator stopped the step). Call first thing, before other threads exist.
    public static func install(cleanUp: @escaping @Sendable () -> Void) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let box = CleanUpBox(cleanUp)
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { argument in
                guard let argument else { return nil }
                let box = Unmanaged<CleanUpBox>.fromOpaque(argument).takeRetainedValue()
                var signals = sigset_t()
                sigemptyset(&signals)
                sigaddset(&signals, SIGTERM)
                sigaddset(&signals, SIGINT)
                var received: Int32 = 0
                sigwait(&signals, &received)
                box.cleanUp()
                Log.failure("stopped by \(received == SIGINT ? "SIGINT" : "SIGTERM"); sessions closed")
                _exit(ExitStatus.failure.rawValue)
            }, Unmanaged.passRetained(box).toOpaque())
        if started == 0 { pthread_detach(thread) }
    }

    private final class CleanUpBox: Sendable {
        let cleanUp: @Sendable () -> Void
        init(_ cleanUp: @escaping @Sendable () -> Void) { self.cleanUp = cleanUp }
    }
}
