import Redfish
import StepRuntime

/// Logging in again while an update runs (a rebooted BMC forgets its sessions), one login at a
/// time: paced by the BMC's failed-login policy, each one logged, and a refusal of the
/// credentials on record ends the step instead of being tried again (a password changed
/// mid-update must not turn into a lockout).
final class SessionRenewal {
    let login: SessionLogin
    let client: RedfishClient
    let user: String
    let password: String
    var schedule: AttemptSchedule

    init(login: SessionLogin, client: RedfishClient, user: String, password: String, schedule: AttemptSchedule) {
        self.login = login
        self.client = client
        self.user = user
        self.password = password
        self.schedule = schedule
    }

    /// Replaces `session` with a new one. Returns quietly when the BMC does not answer yet (it
    /// is rebooting: the caller keeps polling); throws when the BMC refuses the credentials on
    /// record, or when the policy allows no attempt before the deadline.
    func renew(_ session: inout RedfishSession, deadline: Double, why: String) throws {
        let left = deadline - StepClock.monotonic()
        if let refusal = schedule.refusalOfNextAttempt(longestWait: max(0, left)) {
            throw StepError.failure("\(refusal): not logging in again; the update's outcome is unknown")
        }
        let waited = schedule.waitForNextAttempt()
        Log.info("logging in again (\(why))\(waited > 0 ? " after waiting \(Int(waited.rounded())) s for the lockout policy" : "")")
        guard let result = try attempt() else { return }
        switch result {
        case .accepted(let renewed):
            login.logout(session)
            session = renewed
            client.authentication = .session(token: renewed.token)
            Log.info("logged in again")
        case .refused(let status, let messages):
            schedule.recordFailure()
            throw StepError.failure(
                "the BMC refused the credentials on record for \(user) when logging in again during the update (HTTP \(status)\(messages.isEmpty ? "" : ": " + messages)); not trying again, to stay clear of a lockout: the update's outcome is unknown, check the BMC"
            )
        }
    }

    /// One login; nil when the BMC could not take it yet (rebooting: refused connections, 503).
    func attempt() throws(RedfishError) -> LoginResult? {
        do {
            return try login.login(user: user, password: password)
        } catch  where error.exitStatus == .transient {
            // A login whose answer was lost may have been counted as a failure: pace as if it was.
            if case .loginAnswerLost = error { schedule.recordFailure() }
            Log.info("the BMC did not take the login yet (\(error.message)); waiting")
            return nil
        }
    }
}
