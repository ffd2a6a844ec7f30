import Synchronization

/// The changes this step has sent to a server (a password PATCH, a firmware update), so that a
/// stop reports what was and was not done, and exits 1 once anything may have changed: 75 would
/// let Argo retry, and a second change is not harmless.
public enum ChangeLedger {
    private static let entries = Mutex<[(what: String, accepted: Bool)]>([])

    /// A change is about to go out: from here its outcome may be unknown.
    public static func sending(_ what: String) {
        entries.withLock { $0.append((what, false)) }
    }

    /// The server said it took the change.
    public static func accepted(_ what: String) {
        entries.withLock { list in
            if let index = list.lastIndex(where: { $0.what == what }) { list[index].accepted = true } else { list.append((what, true)) }
        }
    }

    /// The server answered that it did not take the change (a 4xx): nothing changed.
    public static func refused(_ what: String) {
        entries.withLock { list in
            if let index = list.lastIndex(where: { $0.what == what && !$0.accepted }) { list.remove(at: index) }
        }
    }

    public static var anySent: Bool { entries.withLock { !$0.isEmpty } }

    /// One clause for the stop line.
    public static var stopSummary: String {
        let list = entries.withLock { $0 }
        guard !list.isEmpty else { return "nothing that changes anything had been sent" }
        return "already sent: "
            + list.map { "\($0.what) (\($0.accepted ? "accepted" : "outcome unknown"))" }.joined(separator: ", ")
    }

    /// 1 once a change was sent or accepted, 75 when nothing was.
    public static var stopExitStatus: ExitStatus { anySent ? .failure : .transient }
}
