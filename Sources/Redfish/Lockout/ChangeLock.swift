/// At most one step changes a BMC at a time, whatever workflow it belongs to: held from the
/// step's first change (a legacy password, an upload) until its outcome. Redfish knows only this
/// protocol; the Kubernetes Lease behind it lives outside.
public protocol ChangeLock: AnyObject {
    /// Waits until this step holds the lock; past `deadline` (monotonic seconds) throws a
    /// transient failure (exit 75). Returns whether another step held it meanwhile (it may have
    /// changed the BMC: what was learned before is stale).
    func acquire(deadline: Double) throws -> Bool
    /// Throws when the lock was lost (its renewals failed for longer than it lasts): the step
    /// must not start another change.
    func checkHeld() throws
    /// Gives it up; idempotent.
    func release()
}

/// No lock: a step run by hand without Kubernetes, where nothing else can be coordinated with.
public final class NoChangeLock: ChangeLock, Sendable {
    public init() {}
    public func acquire(deadline: Double) -> Bool { false }
    public func checkHeld() {}
    public func release() {}
}
