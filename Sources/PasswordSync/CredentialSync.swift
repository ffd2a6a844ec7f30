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

extension SyncCredentials {
    public static let environmentHelp = [
        EnvironmentSetting(
            "OBM_LEGACY_PASSWORDS", "JSON list of old or factory passwords to try (Secret obm-legacy-passwords, key passwords)"),
        EnvironmentSetting("OBM_LEGACY_USER", "the account those passwords belong to (default root)"),
        EnvironmentSetting(
            "OBM_LOCKOUT_POLICY",
            "a failed-login policy to honour besides the BMC's own and its maker's (the stricter of all, rule by rule): threshold=3,reset-after=60s,duration=60s"
        ),
    ]

    /// The record's credentials (from `settings`) and the legacy ones the environment lists
    /// (at most 20, each masked in every log line from here on).
    public static func fromEnvironment(_ environment: [String: String], record settings: RedfishSettings) throws -> SyncCredentials {
        var legacy: [String] = []
        if let text = environment["OBM_LEGACY_PASSWORDS"], !text.trimmingPrefix(" ").isEmpty {
            guard let list = try? JSONValue(parsing: text), let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw StepError.badInput("OBM_LEGACY_PASSWORDS is not a JSON list of strings")
            }
            legacy = items.compactMap(\.stringValue).filter { !$0.isEmpty }
            guard legacy.count <= 20 else { throw StepError.badInput("OBM_LEGACY_PASSWORDS lists more than 20 passwords") }
            for (index, password) in legacy.enumerated() {
                try SecretRedaction.registerCredential(password, setting: "OBM_LEGACY_PASSWORDS item \(index + 1)")
            }
        }
        let legacyUser = environment.setting("OBM_LEGACY_USER") ?? "root"
        try AccountName.validate(legacyUser, setting: "OBM_LEGACY_USER")
        return SyncCredentials(user: settings.user, password: settings.password, legacyUser: legacyUser, legacyPasswords: legacy)
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
        let login = try RedfishLogin(client: client, root: root)
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
                    try login.with(session) { client in learn(gate, session: session, client: client, root: root, reported: reported) }
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
                if candidate.isRecord && !session.passwordChangeRequired {
                    try login.with(session) { client in learn(gate, session: session, client: client, root: root, reported: reported) }
                    return report(.inSync, gate)
                }
                let status = try bringInLine(session, candidate: candidate, login: login, root: root, gate: gate, reported: reported)
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
    func takeLock(gate: LoginGate, login: RedfishLogin) throws -> RedfishSession? {
        guard try lock.acquire(deadline: deadline), let first = gate.firstAttemptTime, try gate.recordAcceptedSince(first) else {
            return nil
        }
        Log.info("another step logged in with the credentials on record while this one waited for the BMC: trying them again")
        let result = try gate.attempt(.record, "trying the credentials on record again") {
            try login.attempt(user: credentials.user, password: credentials.password)
        }
        guard case .accepted(let session) = result, !session.passwordChangeRequired else {
            // A session that must change its password first is no use here: ended at once.
            if case .accepted(let session) = result { try login.with(session) { _ in } }
            return nil
        }
        Log.info("the credentials on record: accepted")
        return session
    }

    /// After a login: the BMC's own policy, kept in the history for steps that cannot log in yet.
    /// Read before the login when the BMC showed it then; else now, with the session.
    func learn(_ gate: LoginGate, session: RedfishSession, client: RedfishClient, root: ServiceRoot, reported: LockoutPolicy?) {
        guard !session.passwordChangeRequired else { return }
        gate.learn(reported: reported, signedIn: client, root: root)
    }

    /// Logged in with `candidate` (not the record, or a record the BMC wants changed): set the
    /// record's password and prove it. Each session is used inside `login.with`, which ends it
    /// however the work leaves.
    func bringInLine(
        _ first: RedfishSession, candidate: SyncCredentials.Candidate, login: RedfishLogin, root: ServiceRoot, gate: LoginGate,
        reported: LockoutPolicy?
    ) throws -> SyncReport.Status {
        var session = first
        if first.passwordChangeRequired {
            // Only the account's own Password may be changed: do that first, to the record's.
            let changed = try login.with(first) { client in try changeRequiredPassword(first, of: candidate, client: client, root: root) }
            guard changed else { return .wouldSync }
            if candidate.user == credentials.user {
                try verify(login: login, gate: gate)
                return .synced
            }
            let result = try gate.attempt(.record, "logging in with the changed password") {
                try login.attempt(user: candidate.user, password: credentials.password)
            }
            guard case .accepted(let renewed) = result else {
                throw StepError.failure("changed the password of \(candidate.user) but the BMC refused it right after")
            }
            session = renewed
        }
        let status = try login.with(session) { client -> SyncReport.Status in
            learn(gate, session: session, client: client, root: root, reported: reported)
            let accounts = try AccountService(client: client, root: root)
            guard let account = try accounts.account(named: credentials.user) else {
                throw StepError.failure(
                    "the BMC has no account named \"\(credentials.user)\" (OBM_USERNAME); these steps change passwords, they do not create accounts"
                )
            }
            if dryRun {
                Log.info("dry run: would set the password of \(credentials.user) (\(account.path)) to the one on record")
                return .wouldSync
            }
            try lock.checkHeld()
            try accounts.setPassword(of: account, to: credentials.password)
            Log.info("set the password of \(credentials.user) (\(account.path)) to the one on record")
            // Leaving `with` deletes the session; the old token may already be dead (a password
            // change ends the account's sessions on some BMCs): a 401 there is expected.
            return .synced
        }
        if status == .synced { try verify(login: login, gate: gate) }
        return status
    }

    /// The BMC let `candidate` in only to change its own password (PasswordChangeRequired):
    /// changes it to the record's. False on a dry run, which changes nothing.
    func changeRequiredPassword(
        _ session: RedfishSession, of candidate: SyncCredentials.Candidate, client: RedfishClient, root: ServiceRoot
    ) throws -> Bool {
        guard !candidate.isRecord else {
            throw StepError.failure(
                "the BMC requires a new password for \(candidate.user), whose password is already the one on record; the BMC will not take the same one again: set a new one on record"
            )
        }
        guard let accountPath = session.accountPath else {
            throw StepError.failure("the BMC requires a password change for \(candidate.user) but did not say which account to PATCH")
        }
        if dryRun {
            Log.info(
                "dry run: would change the password of \(candidate.user) (\(accountPath)), which the BMC requires, to the one on record")
            return false
        }
        try lock.checkHeld()
        let account = (try? client.get(accountPath)) ?? RedfishResource(path: accountPath, json: .object([]), etag: nil)
        try AccountService(client: client, root: root).setPassword(of: account, to: credentials.password)
        Log.info("changed the password of \(candidate.user) as the BMC required (PasswordChangeRequired)")
        return true
    }

    /// Logs in with the record's credentials to prove the change took.
    func verify(login: RedfishLogin, gate: LoginGate) throws {
        let result = try gate.attempt(.record, "proving the change with the credentials on record") {
            try login.attempt(user: credentials.user, password: credentials.password)
        }
        switch result {
        case .accepted(let session):
            // The login was the proof: nothing to do with the session but end it.
            try login.with(session) { _ in }
            Log.info("verified: the BMC accepts the credentials on record")
        case .refused(let status, let messages):
            throw StepError.failure(
                "the password was changed but a login with the credentials on record was refused (HTTP \(status)\(messages.isEmpty ? "" : ": " + messages))"
            )
        }
    }
}
