import HTTP
import JSON
import Redfish
import StepRuntime

/// The credentials `obm-sync-creds` works with: the ones on record, and the old or factory
/// passwords the BMC may still have.
public struct SyncCredentials: Sendable {
    public var user: String
    public var password: String
    public var legacyUser: String
    public var legacyPasswords: [String]

    public init(user: String, password: String, legacyUser: String, legacyPasswords: [String]) {
        self.user = user
        self.password = password
        self.legacyUser = legacyUser
        self.legacyPasswords = legacyPasswords
    }

    /// Every login to try, in order, each once: the record first, then each distinct legacy one.
    var candidates: [Candidate] {
        var list = [Candidate(user: user, password: password, label: "the credentials on record", isRecord: true)]
        for (index, legacy) in legacyPasswords.enumerated() {
            let duplicate = list.contains { $0.user == legacyUser && $0.password == legacy }
            if !duplicate {
                list.append(
                    Candidate(user: legacyUser, password: legacy, label: "legacy password #\(index + 1) for \(legacyUser)", isRecord: false)
                )
            }
        }
        return list
    }

    struct Candidate {
        var user: String
        var password: String
        var label: String
        var isRecord: Bool
    }
}

/// What `obm-sync-creds` found and did.
public struct SyncReport: Sendable {
    public enum Status: String, Sendable {
        case inSync = "in-sync"
        case synced
        case wouldSync = "would-sync"
    }

    public var status: Status
    public var failedLogins: Int
    public var waited: Double
    public var policy: LockoutPolicy
}

/// Brings a BMC's password in line with the one on record without ever locking it out: every
/// login goes through the BMC's shared login history (`LoginGate`), each password is tried
/// once, each session is deleted, and the BMC is changed only while this step holds its change
/// lock, from the first legacy password on.
public struct CredentialSync {
    let client: RedfishClient
    let credentials: SyncCredentials
    let dryRun: Bool
    let policyOverride: LockoutPolicy?
    let history: any LoginHistory
    let lock: any ChangeLock
    /// Monotonic seconds: no wait, lock or request goes past it (`--timeout`).
    let deadline: Double
    let clock: @Sendable () -> Double
    let sleep: @Sendable (Double) -> Void

    public init(
        client: RedfishClient, credentials: SyncCredentials, dryRun: Bool, policyOverride: LockoutPolicy?,
        history: any LoginHistory = InProcessLoginHistory(), lock: any ChangeLock = NoChangeLock(), deadline: Double,
        clock: @escaping @Sendable () -> Double = StepClock.wall,
        sleep: @escaping @Sendable (Double) -> Void = StepClock.sleep
    ) {
        self.client = client
        self.credentials = credentials
        self.dryRun = dryRun
        self.policyOverride = policyOverride
        self.history = history
        self.lock = lock
        self.deadline = deadline
        self.clock = clock
        self.sleep = sleep
    }

    public func run() throws -> SyncReport {
        let root = try ServiceRoot.read(client)
        let vendor = VendorProfile.detect(root)
        let accounts = try AccountService(client: client, root: root)
        let reported = accounts.lockoutPolicy()
        let gate = try LoginGate(
            history: history, policies: [policyOverride, reported, vendor.knownLockoutPolicy].compactMap { $0 }, step: "obm-sync-creds",
            deadline: deadline, clock: clock, sleep: sleep)
        defer { gate.finish() }
        Log.info("BMC \(client.endpoint.base): \(vendor.rawValue); failed-login policy \(gate.policy)")
        let login = try Login(client: client, root: root)
        defer { lock.release() }

        let candidates = credentials.candidates
        for (index, candidate) in candidates.enumerated() {
            if index > 0 {
                guard gate.canAffordAFailure else {
                    throw StepError.failure(
                        "the credentials on record were refused and the BMC's policy (\(gate.policy)) locks on the first failure: not trying legacy passwords"
                    )
                }
                if index == 1 && !dryRun, let session = try takeLock(gate: gate, login: login) {
                    learn(gate, session: session, login: login, accounts: accounts, reported: reported)
                    login.end(session)
                    return report(.inSync, gate)
                }
                try lock.checkHeld()
            }
            let result = try gate.attempt(candidate.isRecord ? .record : .legacy, "trying \(candidate.label)") {
                try login.attempt(user: candidate.user, password: candidate.password)
            }
            switch result {
            case .refused(let status, _):
                Log.info("\(candidate.label): refused (HTTP \(status)); \(gate.failureCount) failed login(s) so far")
            case .accepted(let session):
                Log.info("\(candidate.label): accepted")
                learn(gate, session: session, login: login, accounts: accounts, reported: reported)
                if candidate.isRecord && !session.passwordChangeRequired {
                    login.end(session)
                    return report(.inSync, gate)
                }
                let status = try bringInLine(session, candidate: candidate, login: login, accounts: accounts, gate: gate)
                return report(status, gate)
            }
        }
        let legacyCount = candidates.count - 1
        throw StepError.failure(
            "none of the \(candidates.count) passwords tried (the one on record and \(legacyCount) legacy) was accepted by the BMC; \(gate.failureCount) failed logins, paced to stay under the lockout threshold"
        )
    }

    func report(_ status: SyncReport.Status, _ gate: LoginGate) -> SyncReport {
        SyncReport(status: status, failedLogins: gate.failureCount, waited: gate.waited, policy: gate.policy)
    }

    /// Takes the BMC's change lock before the first legacy password. When another step held it
    /// meanwhile and the history shows it logged in with the credentials on record since ours
    /// were refused, it has brought the BMC in line: those credentials are tried once more, and
    /// the session is returned when they work.
    func takeLock(gate: LoginGate, login: Login) throws -> RedfishSession? {
        guard try lock.acquire(deadline: deadline), let first = gate.firstAttemptTime, try gate.recordAcceptedSince(first) else {
            return nil
        }
        Log.info("another step logged in with the credentials on record while this one waited for the BMC: trying them again")
        let result = try gate.attempt(.record, "trying the credentials on record again") {
            try login.attempt(user: credentials.user, password: credentials.password)
        }
        guard case .accepted(let session) = result, !session.passwordChangeRequired else {
            if case .accepted(let session) = result { login.end(session) }
            return nil
        }
        Log.info("the credentials on record: accepted")
        return session
    }

    /// After a login: the BMC's own policy, kept in the history for steps that cannot log in yet.
    /// Read before the login when the BMC showed it then; else now, with the session.
    func learn(_ gate: LoginGate, session: RedfishSession, login: Login, accounts: AccountService, reported: LockoutPolicy?) {
        guard !session.passwordChangeRequired else { return }
        if let reported {
            gate.learn(reported)
            return
        }
        login.use(session)
        gate.learn(accounts.lockoutPolicy())
    }

    /// Logged in with `candidate` (not the record): set the record's password, prove it.
    func bringInLine(
        _ session: RedfishSession, candidate: SyncCredentials.Candidate, login: Login, accounts: AccountService, gate: LoginGate
    ) throws -> SyncReport.Status {
        var session = session
        var current = candidate
        if session.passwordChangeRequired {
            // Only the account's own Password may be changed: do that first, to the record's.
            guard !candidate.isRecord else {
                login.end(session)
                throw StepError.failure(
                    "the BMC requires a new password for \(candidate.user), whose password is already the one on record; the BMC will not take the same one again: set a new one on record"
                )
            }
            guard let accountPath = session.accountPath else {
                login.end(session)
                throw StepError.failure("the BMC requires a password change for \(candidate.user) but did not say which account to PATCH")
            }
            if dryRun {
                login.end(session)
                Log.info(
                    "dry run: would change the password of \(candidate.user) (\(accountPath)), which the BMC requires, to the one on record"
                )
                return .wouldSync
            }
            login.use(session)
            do {
                try lock.checkHeld()
                let account = (try? client.get(accountPath)) ?? RedfishResource(path: accountPath, json: .object([]), etag: nil)
                try accounts.setPassword(of: account, to: credentials.password)
            } catch {
                // A refused or unanswered change must not leave the session holding one of the BMC's few slots.
                login.end(session)
                throw error
            }
            Log.info("changed the password of \(candidate.user) as the BMC required (PasswordChangeRequired)")
            login.end(session)
            current = SyncCredentials.Candidate(
                user: candidate.user, password: credentials.password, label: "\(candidate.user) with the new password",
                isRecord: candidate.user == credentials.user)
            if current.isRecord {
                try verify(login: login, gate: gate)
                return .synced
            }
            let result = try gate.attempt(.record, "logging in with the changed password") {
                try login.attempt(user: current.user, password: current.password)
            }
            guard case .accepted(let renewed) = result else {
                throw StepError.failure("changed the password of \(candidate.user) but the BMC refused it right after")
            }
            session = renewed
        }

        login.use(session)
        let account: RedfishResource
        do {
            guard let found = try accounts.account(named: credentials.user) else {
                login.end(session)
                throw StepError.failure(
                    "the BMC has no account named \"\(credentials.user)\" (OBM_USERNAME); these steps change passwords, they do not create accounts"
                )
            }
            account = found
        } catch {
            login.end(session)
            throw error
        }
        if dryRun {
            login.end(session)
            Log.info("dry run: would set the password of \(credentials.user) (\(account.path)) to the one on record")
            return .wouldSync
        }
        do {
            try lock.checkHeld()
            try accounts.setPassword(of: account, to: credentials.password)
        } catch {
            login.end(session)
            throw error
        }
        Log.info("set the password of \(credentials.user) (\(account.path)) to the one on record")
        // The old token may already be dead (a password change ends the account's sessions on
        // some BMCs): a 401 on this DELETE is expected.
        login.end(session)
        try verify(login: login, gate: gate)
        return .synced
    }

    /// Logs in with the record's credentials to prove the change took.
    func verify(login: Login, gate: LoginGate) throws {
        let result = try gate.attempt(.record, "proving the change with the credentials on record") {
            try login.attempt(user: credentials.user, password: credentials.password)
        }
        switch result {
        case .accepted(let session):
            login.end(session)
            Log.info("verified: the BMC accepts the credentials on record")
        case .refused(let status, let messages):
            throw StepError.failure(
                "the password was changed but a login with the credentials on record was refused (HTTP \(status)\(messages.isEmpty ? "" : ": " + messages))"
            )
        }
    }
}

/// One login attempt at a time, through sessions, or basic auth where the BMC has no
/// SessionService; never both for one attempt.
struct Login {
    let client: RedfishClient
    let sessions: SessionLogin?
    let probePath: String

    init(client: RedfishClient, root: ServiceRoot) throws {
        self.client = client
        if let path = try root.sessionsPath(client) {
            sessions = SessionLogin(client: client, sessionsPath: path)
            probePath = ""
        } else {
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

    func attempt(user: String, password: String) throws -> LoginResult {
        if let sessions { return try sessions.login(user: user, password: password) }
        let response = try client.send(.get, probePath, authentication: .basic(user: user, password: password))
        if response.isSuccess {
            client.authentication = .basic(user: user, password: password)
            return .accepted(RedfishSession(token: "", location: "", user: user, passwordChangeRequired: false, accountPath: nil))
        }
        if response.status == 401 || response.status == 403 {
            return .refused(status: response.status, messages: RedfishMessages.text(response))
        }
        throw RedfishError.refused(
            status: response.status, request: "GET \(probePath) (login as \(user))", messages: RedfishMessages.text(response))
    }

    /// Sends the next requests as this login: its session token, or (no sessions) the basic
    /// credentials the attempt already set.
    func use(_ session: RedfishSession) {
        if sessions != nil { client.authentication = .session(token: session.token) }
    }

    func end(_ session: RedfishSession) {
        client.authentication = .none
        if let sessions, !session.location.isEmpty { sessions.logout(session) }
    }
}
