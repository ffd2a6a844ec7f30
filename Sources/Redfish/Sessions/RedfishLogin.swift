import HTTP
import StepRuntime

/// How a step logs in to one BMC, one attempt at a time: a session from its SessionService, or
/// basic authentication where the BMC offers no sessions (checked against a resource that
/// refuses anonymous requests); never both for one attempt, never basic after a refused session.
/// Whatever a login is used for happens through `with`, which ends it on every way out.
public struct RedfishLogin {
    /// The anonymous client logins are made with.
    public let client: RedfishClient
    let sessions: SessionLogin?
    let probePath: String

    /// `basicAllowed` false: a BMC without sessions is refused (a firmware update must hold a
    /// session it can renew and end).
    public init(client: RedfishClient, root: ServiceRoot, basicAllowed: Bool = true) throws {
        self.client = client
        if let path = try root.sessionsPath(client) {
            sessions = SessionLogin(client: client, sessionsPath: path)
            probePath = ""
        } else {
            guard basicAllowed else { throw RedfishError.unexpected("the BMC offers no SessionService; this step needs a session") }
            sessions = nil
            probePath = try Self.protectedResource(client, root: root)
            Log.info("the BMC offers no sessions: using basic authentication, checked on \(probePath)")
        }
    }

    /// A resource that refuses a request without credentials, so that a 200 with them proves
    /// they were accepted: some BMCs serve their AccountService (or more) to anyone, and a
    /// "login" there would take any password as right.
    static func protectedResource(_ client: RedfishClient, root: ServiceRoot) throws -> String {
        let candidates = [root.accountServicePath, root.managersPath, root.resource.link("Systems"), root.resource.link("Chassis")]
            .compactMap { $0 }
        for path in candidates {
            let response = try client.send(.get, path, authentication: RedfishAuthentication.none)
            if response.status == 401 || response.status == 403 { return path }
        }
        throw StepError.failure(
            "the BMC offers no sessions and answers \(candidates.isEmpty ? "no linked resource" : candidates.joined(separator: ", ")) without credentials: a password cannot be checked against it"
        )
    }

    /// One login attempt: exactly one request that carries the password.
    public func attempt(user: String, password: String) throws -> LoginResult {
        if let sessions { return try sessions.login(user: user, password: password) }
        let response = try client.send(.get, probePath, authentication: .basic(user: user, password: password))
        if response.isSuccess { return .accepted(RedfishSession(credential: .basic(password: password), user: user)) }
        if response.status == 401 || response.status == 403 {
            return .refused(status: response.status, messages: RedfishMessages.text(response))
        }
        throw RedfishError.refused(
            status: response.status, request: "GET \(probePath) (login as \(user))", messages: RedfishMessages.text(response))
    }

    /// A login with the credentials on record, through the BMC's login history (`gate`), for a
    /// step that needs them to work: a refusal ends the step, pointing at obm-sync-creds, which
    /// brings the BMC in line with the record.
    public func logInWithRecord(user: String, password: String, gate: LoginGate) throws -> RedfishSession {
        let result = try gate.attempt(.record, "logging in with the credentials on record") {
            try attempt(user: user, password: password)
        }
        switch result {
        case .accepted(let session):
            return session
        case .refused(let status, let messages):
            throw StepError.failure(
                "the BMC refused the credentials on record for \(user) (HTTP \(status)\(messages.isEmpty ? "" : ": " + messages)); run obm-sync-creds first"
            )
        }
    }

    /// A client whose requests are signed as `session`.
    public func client(for session: RedfishSession) -> RedfishClient { client.signedIn(session.authentication) }

    /// Ends the login: a session is deleted (a 401 or 404 means the BMC ended it already, as a
    /// password change does on some); basic credentials need nothing.
    public func end(_ session: RedfishSession) {
        sessions?.logout(session)
    }

    /// Works as `session`, and ends it however `body` leaves.
    public func with<T>(_ session: RedfishSession, _ body: (RedfishClient) throws -> T) throws -> T {
        defer { end(session) }
        return try body(client(for: session))
    }
}
