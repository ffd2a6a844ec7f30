import Redfish
import StepRuntime

/// Logging in again while an update runs (a rebooted BMC forgets its sessions), one login at a
/// time: through the BMC's login history like every login, each one logged, and a refusal of
/// the credentials on record ends the step instead of being tried again (a password changed
/// mid-update must not turn into a lockout).
final class SessionRenewal {
    let login: SessionLogin
    let client: RedfishClient
    let user: String
    let password: String
    let gate: LoginGate

    init(login: SessionLogin, client: RedfishClient, user: String, password: String, gate: LoginGate) {
        self.login = login
        self.client = client
        self.user = user
        self.password = password
        self.gate = gate
    }

    /// Replaces `session` with a new one. Returns quietly when the BMC does not answer yet (it
    /// is rebooting: the caller keeps polling); throws when the BMC refuses the credentials on
    /// record, or when the policy allows no attempt before the deadline.
    func renew(_ session: inout RedfishSession, why: String) throws {
        Log.info("logging in again (\(why))")
        let result: LoginResult
        do {
            result = try gate.attempt(.record, "logging in again; the update's outcome is unknown") {
                try login.login(user: user, password: password)
            }
        } catch let error as RedfishError where error.exitStatus == .transient {
            // The gate recorded it: a lost answer counts as a failure, a refused connection not.
            Log.info("the BMC did not take the login yet (\(error.message)); waiting")
            return
        }
        switch result {
        case .accepted(let renewed):
            login.logout(session)
            session = renewed
            client.authentication = .session(token: renewed.token)
            Log.info("logged in again")
        case .refused(let status, let messages):
            throw StepError.failure(
                "the BMC refused the credentials on record for \(user) when logging in again during the update (HTTP \(status)\(messages.isEmpty ? "" : ": " + messages)); not trying again, to stay clear of a lockout: the update's outcome is unknown, check the BMC"
            )
        }
    }
}
