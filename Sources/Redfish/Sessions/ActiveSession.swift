import StepRuntime

/// The session a long step works through (a firmware update): its requests go out signed as the
/// current session; a BMC that rebooted and forgot it is logged in to again, one login at a
/// time, through the BMC's login history like every login; it is ended on every way out (`with`,
/// and the registry on SIGTERM). A refusal of the credentials on record ends the step instead of
/// being tried again: a password changed mid-update must not turn into a lockout.
public final class ActiveSession {
    let login: RedfishLogin
    let user: String
    let password: String
    let gate: LoginGate
    public private(set) var session: RedfishSession
    /// Signed as the current session.
    public private(set) var client: RedfishClient

    init(login: RedfishLogin, session: RedfishSession, user: String, password: String, gate: LoginGate) {
        self.login = login
        self.session = session
        self.user = user
        self.password = password
        self.gate = gate
        client = login.client(for: session)
    }

    /// Replaces the session with a new one. Returns quietly when the BMC does not answer yet (it
    /// is rebooting: the caller keeps polling); throws when the BMC refuses the credentials on
    /// record, or when the policy allows no attempt before the deadline.
    public func renew(why: String) throws {
        Log.info("logging in again (\(why))")
        let result: LoginResult
        do {
            result = try gate.attempt(.record, "logging in again; the update's outcome is unknown") {
                try login.attempt(user: user, password: password)
            }
        } catch let error as RedfishError where error.exitStatus == .transient {
            // The gate recorded it: a lost answer counts as a failure, a refused connection not.
            Log.info("the BMC did not take the login yet (\(error.message)); waiting")
            return
        }
        switch result {
        case .accepted(let renewed):
            login.end(session)
            session = renewed
            client = login.client(for: renewed)
            Log.info("logged in again")
        case .refused(let status, let messages):
            throw StepError.failure(
                "the BMC refused the credentials on record for \(user) when logging in again during the update (HTTP \(status)\(messages.isEmpty ? "" : ": " + messages)); not trying again, to stay clear of a lockout: the update's outcome is unknown, check the BMC"
            )
        }
    }

    /// Works through a session begun as `session`, renewed as needed, and ends whichever is
    /// current however `body` leaves (SIGTERM: the registry).
    public static func with<T>(
        login: RedfishLogin, session: RedfishSession, user: String, password: String, gate: LoginGate,
        _ body: (ActiveSession) throws -> T
    ) throws -> T {
        let active = ActiveSession(login: login, session: session, user: user, password: password, gate: gate)
        defer { active.login.end(active.session) }
        return try body(active)
    }
}
