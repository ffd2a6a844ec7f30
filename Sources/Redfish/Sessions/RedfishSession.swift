import HTTP
import JSON
import StepRuntime

/// A login the BMC accepted: a Redfish session (its token, and where to DELETE it), or, on a BMC
/// without sessions, the basic credentials it accepted. BMCs have a few session slots; every
/// session made is deleted on every way out, also on SIGTERM (`SessionRegistry`).
public struct RedfishSession: Sendable, Equatable {
    /// How the BMC knows this login.
    public enum Credential: Sendable, Equatable {
        /// X-Auth-Token, and the session's URI from the Location header.
        case token(String, location: String)
        /// A BMC with no SessionService: each request carries the password.
        case basic(password: String)
    }

    public var credential: Credential
    public var user: String
    /// The BMC let us in, but only to change this account's own password (Redfish
    /// PasswordChangeRequired): anything else is refused until then.
    public var passwordChangeRequired: Bool
    /// With PasswordChangeRequired: the account to PATCH, from the message's argument.
    public var accountPath: String?

    public init(credential: Credential, user: String, passwordChangeRequired: Bool = false, accountPath: String? = nil) {
        self.credential = credential
        self.user = user
        self.passwordChangeRequired = passwordChangeRequired
        self.accountPath = accountPath
    }

    /// What a request signed as this login carries.
    public var authentication: RedfishAuthentication {
        switch credential {
        case .token(let token, _): .session(token: token)
        case .basic(let password): .basic(user: user, password: password)
        }
    }

    /// The session token, for the few requests that carry it in their body (iLO's upload form).
    public var token: String? {
        if case .token(let token, _) = credential { return token }
        return nil
    }
}

extension RedfishSession: CustomStringConvertible, CustomDebugStringConvertible {
    /// Who, and how, never the token or the password: a session interpolated into a log line
    /// by mistake gives nothing away.
    public var description: String {
        switch credential {
        case .token(_, let location): "session of \(user) at \(URLText.printable(location))"
        case .basic: "basic authentication as \(user)"
        }
    }

    public var debugDescription: String { description }
}

/// The answer to one login attempt. Each attempt is exactly one POST to the Sessions collection:
/// one wrong password costs exactly one failed login (never a session attempt then basic auth).
public enum LoginResult: Sendable, Equatable {
    case accepted(RedfishSession)
    /// Wrong credentials (or locked): the BMC answered 401 or 403.
    case refused(status: Int, messages: String)
}

/// Logs in and out of one BMC's SessionService.
public struct SessionLogin {
    let client: RedfishClient
    let sessionsPath: String

    public init(client: RedfishClient, sessionsPath: String) {
        self.client = client
        self.sessionsPath = sessionsPath
    }

    /// One POST of UserName and Password, on a connection of its own, never redirected. A
    /// network failure before the request was sent in full throws (exit 75, no password spent);
    /// an answer lost after it (or a gateway's 502/504) throws `.loginAnswerLost`: the BMC may
    /// have counted a failed login (exit 75). A busy BMC (503, 429, no free session slot) throws
    /// a transient refusal.
    public func login(user: String, password: String) throws(RedfishError) -> LoginResult {
        let response: HTTPResponse
        do {
            response = try client.send(
                .post, sessionsPath, body: ["UserName": .string(user), "Password": .string(password)],
                authentication: RedfishAuthentication.none, carriesCredentials: true)
        } catch .transport(let error) where error.outcomeUnknown {
            throw .loginAnswerLost(user: user, error)
        }
        let body = try? JSONValue(parsing: response.body)
        switch response.status {
        case 200, 201:
            guard let token = response.header("X-Auth-Token"), !token.isEmpty else {
                throw .unexpected("the BMC created a session but sent no X-Auth-Token")
            }
            SecretRedaction.register(token)
            guard let location = response.header("Location") ?? body?["@odata.id"]?.stringValue else {
                // Without a location the session could not be deleted: refuse to leak it silently.
                throw .unexpected("the BMC created a session but gave no Location to delete it")
            }
            let change = RedfishMessages.extendedInfo(body).first {
                $0["MessageId"]?.stringValue?.hasSuffix(".PasswordChangeRequired") == true
            }
            let session = RedfishSession(
                credential: .token(token, location: location), user: user, passwordChangeRequired: change != nil,
                accountPath: change?["MessageArgs"]?.arrayValue?.first?.stringValue)
            SessionRegistry.shared.add(session, endpoint: client.endpoint)
            return .accepted(session)
        case 401, 403:
            return .refused(status: response.status, messages: RedfishMessages.text(body))
        default:
            let busy = RedfishMessages.messageIDs(body).contains { $0.hasSuffix("SessionLimitExceeded") }
            throw .refused(
                status: busy ? 503 : response.status, request: "POST \(sessionsPath) (login as \(user))",
                messages: RedfishMessages.text(body))
        }
    }

    /// Deletes the session. A 401 or 404 means the BMC already ended it (a password change
    /// invalidates the account's sessions on some BMCs): that is not a failure.
    @discardableResult
    public func logout(_ session: RedfishSession) -> Bool {
        guard case .token(let token, let location) = session.credential else { return true }
        defer { SessionRegistry.shared.remove(session) }
        do {
            let response = try client.send(.delete, location, authentication: .session(token: token), cleanup: true)
            if response.isSuccess || response.status == 401 || response.status == 404 { return true }
            Log.warning("the BMC refused to delete session \(URLText.printable(location)) (HTTP \(response.status))")
        } catch {
            Log.warning("could not delete session \(URLText.printable(location)): \(error.message)")
        }
        return false
    }
}
