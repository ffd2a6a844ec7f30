@_spi(BMCInsecureTLS) import HTTP
import StepRuntime
import Synchronization

/// Every session the step holds, so that a SIGTERM (Argo's timeout) still deletes them: a BMC
/// has few session slots, and a leaked session holds one for its whole timeout.
public final class SessionRegistry: Sendable {
    public static let shared = SessionRegistry()

    private struct Entry: Sendable {
        var session: RedfishSession
        var endpoint: RedfishEndpoint
    }

    private let entries = Mutex<[Entry]>([])

    public func add(_ session: RedfishSession, endpoint: RedfishEndpoint) {
        entries.withLock { $0.append(Entry(session: session, endpoint: endpoint)) }
    }

    public func remove(_ session: RedfishSession) {
        entries.withLock { $0.removeAll { $0.session == session } }
    }

    public var count: Int { entries.withLock { $0.count } }

    /// Deletes every session still held, each with a short timeout and its own connection (the
    /// main thread may be in the middle of a request). For the termination path.
    public func deleteAll() {
        let held = entries.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for entry in held {
            guard case .token(let token, let location) = entry.session.credential,
                let client = try? RedfishClient(endpoint: entry.endpoint, retry: .never)
            else { continue }
            _ = try? client.send(.delete, location, authentication: .session(token: token), cleanup: true)
        }
    }
}
