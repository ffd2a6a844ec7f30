#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The clocks and the sleep the steps use, in one place; schedulers take them as parameters so
/// tests can substitute their own.
public enum StepClock {
    /// Seconds on a clock that never jumps: for intervals and deadlines.
    public static let monotonic: @Sendable () -> Double = {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Seconds since the epoch: for HTTP dates.
    public static let wall: @Sendable () -> Double = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Sleeps the whole duration, resuming after signals, in slices of at most 100 ms so that a
    /// stop (TerminationSignal) ends the wait at once.
    public static let sleep: @Sendable (Double) -> Void = { seconds in
        guard seconds > 0, seconds.isFinite else { return }
        let end = monotonic() + seconds
        while !TerminationSignal.requested {
            let left = end - monotonic()
            if left <= 0 { return }
            let slice = min(left, 0.1)
            var request = timespec(tv_sec: Int(slice), tv_nsec: Int((slice - Double(Int(slice))) * 1e9))
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        }
    }
}
