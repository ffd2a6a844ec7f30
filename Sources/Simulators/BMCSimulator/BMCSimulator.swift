import FoundationEssentials
import JSON
import SimulatorSupport
import Synchronization

/// A BMC speaking Redfish over HTTPS, for tests and the demo: sessions with a slot limit,
/// failed-login lockouts (per account as Redfish reports them, per source address as iDRAC
/// does, spacing as iLO wants), PasswordChangeRequired, ETags, and a log of every login attempt.
///
/// Control endpoints for tests: `GET /_simulator/state` (sessions open, lockouts caused,
/// attempts with times and outcomes, firmware), `POST /_simulator/check` with `{"user", "password"}`
/// (does the BMC accept them now?), `POST /_simulator/gateway` with `{"prefix", "status", "count"}`
/// and an optional `method` (the BMC acts on the next `count` requests under the prefix, a proxy in front answers `status`
/// instead: a lost answer), `POST /_simulator/redirect` with `{"prefix", "status", "location"}`
/// (a redirect instead of the BMC), `POST /_simulator/account-service` with members that replace the
/// AccountService's (extreme lockout figures), `POST /_simulator/slow` with `{"prefix", "ms"}` (answer
/// requests under a path slowly), `POST /_simulator/busy-after-failures` with `{"failures", "count"}`
/// (once that many logins were refused, the next `count` logins get 503 unjudged).
public final class BMCSimulator: SimulatedService {
    /// The failed-login behaviour enforced, in seconds (tests scale it down).
    public struct Policy: Sendable {
        /// Redfish account lockout, reported in the AccountService (dmtf).
        public var accountThreshold: Int?
        public var accountResetAfter: Double
        public var accountDuration: Double
        /// iDRAC-style: the source address is blocked after `addressFailures` within `addressWindow`.
        public var addressFailures: Int?
        public var addressWindow: Double
        public var addressPenalty: Double
        /// iLO-style: failures closer together than this are throttled.
        public var spacing: Double

        public static func defaults(for personality: BMCPersonality) -> Policy {
            switch personality {
            case .idrac9:
                Policy(
                    accountThreshold: nil, accountResetAfter: 0, accountDuration: 0, addressFailures: 3, addressWindow: 60,
                    addressPenalty: 600, spacing: 0)
            case .ilo5:
                Policy(
                    accountThreshold: nil, accountResetAfter: 0, accountDuration: 0, addressFailures: nil, addressWindow: 0,
                    addressPenalty: 0, spacing: 10)
            case .dmtf:
                Policy(
                    accountThreshold: 5, accountResetAfter: 30, accountDuration: 30, addressFailures: nil, addressWindow: 0,
                    addressPenalty: 0, spacing: 0)
            }
        }

        /// Every duration multiplied by `factor`.
        public func scaled(by factor: Double) -> Policy {
            var copy = self
            copy.accountResetAfter *= factor
            copy.accountDuration *= factor
            copy.addressWindow *= factor
            copy.addressPenalty *= factor
            copy.spacing *= factor
            return copy
        }
    }

    struct Account {
        var id: String
        var user: String
        var password: String
        var passwordChangeRequired: Bool
        var version = 1
        var failures = 0
        var lastFailure = -1e9
        var lockedUntil = -1e9
    }

    struct Session {
        var id: String
        var token: String
        var accountID: String
        var restricted: Bool
    }

    struct Attempt {
        var time: Double
        var user: String
        var outcome: String
    }

    struct State {
        var accounts: [Account]
        var sessions: [Session] = []
        var attempts: [Attempt] = []
        var addressFailures: [Double] = []
        var blockedUntil = -1e9
        var lastFailure = -1e9
        var lockouts = 0
        var nextSession = 1
        var slow: [(prefix: String, milliseconds: Int)] = []
        /// A front proxy that loses the BMC's answer: the BMC acts, the client gets `status`.
        var gateway: [(method: String?, prefix: String, status: Int, remaining: Int)] = []
        /// Once `failures` logins were refused, the next `remaining` logins are answered 503
        /// without being judged: a BMC busy (or restarting its web server) mid-sync.
        var busyAfterFailures: (failures: Int, remaining: Int)?
        /// Members that replace the AccountService's own (odd or extreme lockout figures).
        var accountServiceOverride: [JSONMember] = []
        /// Requests under the prefix are answered with a redirect, before the BMC sees them.
        var redirect: [(prefix: String, status: Int, location: String)] = []
        var firmwareVersion: String
        /// The version an applied update replaced (iDRAC keeps it as a rollback copy).
        var previousFirmwareVersion: String?
        var tasks: [UpdateTask] = []
        var images: [ReceivedImage] = []
        var rebootUntil = -1e9
    }

    let personality: BMCPersonality
    let policy: Policy
    let sessionLimit: Int
    let offersSessions: Bool
    /// Whether the DMTF personality shows its AccountService without a login (some BMCs do).
    let openAccountService: Bool
    let started = Date.now
    let state: Mutex<State>
    let update: UpdateBehaviour

    /// `accounts`: user, password, and whether the password must be changed first.
    public init(
        personality: BMCPersonality, accounts: [(user: String, password: String, mustChange: Bool)], policy: Policy, sessionLimit: Int = 4,
        offersSessions: Bool = true, firmwareVersion: String = "7.00.60.00", update: UpdateBehaviour = UpdateBehaviour(),
        openAccountService: Bool = true
    ) {
        self.openAccountService = openAccountService
        self.update = update
        self.personality = personality
        self.policy = policy
        self.sessionLimit = sessionLimit
        self.offersSessions = offersSessions
        let ids = personality.slotIDs(accounts: accounts.count)
        var slots: [Account] = []
        var given = accounts.makeIterator()
        for (index, id) in ids.enumerated() {
            // iDRAC keeps slot 1 empty and starts users at slot 2.
            if personality == .idrac9 && index == 0 {
                slots.append(Account(id: id, user: "", password: "", passwordChangeRequired: false))
            } else if let account = given.next() {
                slots.append(Account(id: id, user: account.user, password: account.password, passwordChangeRequired: account.mustChange))
            } else {
                slots.append(Account(id: id, user: "", password: "", passwordChangeRequired: false))
            }
        }
        state = Mutex(State(accounts: slots, firmwareVersion: firmwareVersion))
    }

    var now: Double { Date.now.timeIntervalSince(started) }

    public func respond(to request: SimulatedRequest) async -> SimulatedResponse {
        if request.path.hasPrefix("/_simulator/") { return control(request) }
        let delay = state.withLock { state in state.slow.first { request.path.hasPrefix($0.prefix) }?.milliseconds ?? 0 }
        if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
        var path = request.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if let upload = await receiveUpload(request, path: path) { return upload }
        return state.withLock { state in
            if let rule = state.redirect.first(where: { request.path.hasPrefix($0.prefix) }) {
                return .json(rule.status, ["moved": .string(rule.location)], headers: [("Location", rule.location)])
            }
            if now < state.rebootUntil {
                return Self.error(503, "Base.1.8.ServiceTemporarilyUnavailable", "The service is temporarily unavailable (rebooting).")
            }
            let answer = route(request, path: path, state: &state)
            if let rule = state.gateway.firstIndex(where: {
                request.path.hasPrefix($0.prefix) && ($0.method ?? request.method) == request.method && $0.remaining > 0
            }) {
                state.gateway[rule].remaining -= 1
                return .json(state.gateway[rule].status, ["error": "the gateway lost the BMC's answer"])
            }
            return answer
        }
    }

    // MARK: - Routing

    func route(_ request: SimulatedRequest, path: String, state: inout State) -> SimulatedResponse {
        if path == "/redfish/v1" && request.method == "GET" { return .json(200, personality.serviceRoot(sessions: offersSessions)) }
        if path == "/redfish" { return .json(200, ["v1": "/redfish/v1/"]) }
        if offersSessions && path == "/redfish/v1/SessionService/Sessions" && request.method == "POST" {
            return login(request, state: &state)
        }
        // Redfish lets the AccountService be read without a login on some BMCs; the DMTF
        // personality does, so the policy can be known before the first attempt.
        if personality == .dmtf && openAccountService && path == "/redfish/v1/AccountService" && request.method == "GET"
            && request.header("x-auth-token") == nil
            && request.header("authorization") == nil
        {
            return .json(200, accountService(overriding: state.accountServiceOverride))
        }
        let caller: Caller
        switch authenticate(request, state: &state) {
        case .success(let found): caller = found
        case .failure(let refusal): return refusal.response
        }
        if caller.restricted {
            let ownAccount = "/redfish/v1/AccountService/Accounts/\(caller.accountID)"
            let allowed =
                (path == ownAccount && (request.method == "GET" || request.method == "PATCH"))
                || (request.method == "DELETE" && path == "/redfish/v1/SessionService/Sessions/\(caller.sessionID ?? "")")
            if !allowed {
                return Self.error(
                    403, "Base.1.8.PasswordChangeRequired",
                    "The password provided for this account must be changed before access is granted.", args: [ownAccount])
            }
        }
        switch (request.method, path) {
        case ("GET", "/redfish/v1/SessionService"):
            return .json(
                200,
                [
                    "@odata.id": "/redfish/v1/SessionService", "ServiceEnabled": true, "SessionTimeout": 1800,
                    "Sessions": ["@odata.id": "/redfish/v1/SessionService/Sessions"],
                ])
        case ("GET", "/redfish/v1/SessionService/Sessions"):
            return .json(
                200,
                Self.collection(
                    "/redfish/v1/SessionService/Sessions", state.sessions.map { "/redfish/v1/SessionService/Sessions/\($0.id)" }))
        case ("GET", "/redfish/v1/AccountService"):
            return .json(200, accountService(overriding: state.accountServiceOverride))
        case ("GET", "/redfish/v1/AccountService/Accounts"):
            return .json(
                200,
                Self.collection(
                    "/redfish/v1/AccountService/Accounts", state.accounts.map { "/redfish/v1/AccountService/Accounts/\($0.id)" }))
        case ("GET", "/redfish/v1/Managers"):
            return .json(200, Self.collection("/redfish/v1/Managers", ["/redfish/v1/Managers/\(personality.managerID)"]))
        case ("GET", "/redfish/v1/Managers/\(personality.managerID)"):
            return .json(
                200, ["@odata.id": .string(path), "Id": .string(personality.managerID), "FirmwareVersion": .string(state.firmwareVersion)])
        default:
            if let answer = updateRoute(request, path: path, state: &state) { return answer }
        }
        if path.hasPrefix("/redfish/v1/SessionService/Sessions/") && request.method == "DELETE" {
            let id = String(path.dropFirst("/redfish/v1/SessionService/Sessions/".count))
            guard state.sessions.contains(where: { $0.id == id }) else {
                return Self.error(404, "Base.1.8.ResourceMissingAtURI", "The resource at the URI \(path) was not found.")
            }
            state.sessions.removeAll { $0.id == id }
            return SimulatedResponse(status: 204)
        }
        if path.hasPrefix("/redfish/v1/AccountService/Accounts/") {
            let id = String(path.dropFirst("/redfish/v1/AccountService/Accounts/".count))
            guard let index = state.accounts.firstIndex(where: { $0.id == id }) else {
                return Self.error(404, "Base.1.8.ResourceMissingAtURI", "The resource at the URI \(path) was not found.")
            }
            switch request.method {
            case "GET": return .json(200, account(state.accounts[index]), headers: [("ETag", Self.etag(state.accounts[index]))])
            case "PATCH": return patchAccount(request, index: index, caller: caller, state: &state)
            default: break
            }
        }
        return Self.error(405, "Base.1.8.ActionNotSupported", "The action \(request.method) \(path) is not supported.")
    }

    // MARK: - Authentication

    struct Caller {
        var accountID: String
        var sessionID: String?
        var restricted: Bool
    }

    struct Refusal: Error {
        var response: SimulatedResponse
    }

    func authenticate(_ request: SimulatedRequest, state: inout State) -> Result<Caller, Refusal> {
        if let token = request.header("x-auth-token") {
            guard let session = state.sessions.first(where: { $0.token == token }) else {
                return .failure(
                    Refusal(
                        response: Self.error(
                            401, "Base.1.8.NoValidSession", "There is no valid session established with the implementation.")))
            }
            return .success(Caller(accountID: session.accountID, sessionID: session.id, restricted: session.restricted))
        }
        if let header = request.header("authorization"), header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        {
            let user = String(decoded[..<colon])
            let password = String(decoded[decoded.index(after: colon)...])
            switch checkLogin(user: user, password: password, state: &state) {
            case .success(let index):
                return .success(
                    Caller(accountID: state.accounts[index].id, sessionID: nil, restricted: state.accounts[index].passwordChangeRequired))
            case .failure(let refusal):
                return .failure(refusal)
            }
        }
        return .failure(
            Refusal(response: Self.error(401, "Base.1.8.NoValidSession", "There is no valid session established with the implementation.")))
    }

    /// One login attempt, with every lockout rule; the attempt is logged whatever happens.
    func checkLogin(user: String, password: String, state: inout State) -> Result<Int, Refusal> {
        let time = now
        let refused = Refusal(
            response: Self.error(
                401, "Base.1.8.InsufficientPrivilege", "The authentication credentials included with this request are missing or invalid."))
        if time < state.blockedUntil {
            state.attempts.append(Attempt(time: time, user: user, outcome: "blocked"))
            return .failure(refused)
        }
        let index = state.accounts.firstIndex { !$0.user.isEmpty && $0.user == user }
        if let index, time < state.accounts[index].lockedUntil {
            state.attempts.append(Attempt(time: time, user: user, outcome: "locked"))
            return .failure(refused)
        }
        if let index, state.accounts[index].password == password {
            state.accounts[index].failures = 0
            state.attempts.append(Attempt(time: time, user: user, outcome: "accepted"))
            return .success(index)
        }
        // A failure: every rule counts it.
        if policy.spacing > 0 && time - state.lastFailure < policy.spacing {
            state.lockouts += 1
            state.attempts.append(Attempt(time: time, user: user, outcome: "throttled"))
        } else {
            state.attempts.append(Attempt(time: time, user: user, outcome: "refused"))
        }
        state.lastFailure = time
        if let threshold = policy.addressFailures {
            state.addressFailures = state.addressFailures.filter { time - $0 < policy.addressWindow } + [time]
            if state.addressFailures.count >= threshold {
                state.blockedUntil = time + policy.addressPenalty
                state.lockouts += 1
            }
        }
        if let threshold = policy.accountThreshold, let index {
            if time - state.accounts[index].lastFailure >= policy.accountResetAfter { state.accounts[index].failures = 0 }
            state.accounts[index].failures += 1
            state.accounts[index].lastFailure = time
            if state.accounts[index].failures >= threshold {
                state.accounts[index].lockedUntil = time + policy.accountDuration
                state.lockouts += 1
            }
        }
        return .failure(refused)
    }

    func login(_ request: SimulatedRequest, state: inout State) -> SimulatedResponse {
        guard let body = try? JSONValue(parsing: request.body), let user = body["UserName"]?.stringValue,
            let password = body["Password"]?.stringValue
        else {
            return Self.error(400, "Base.1.8.MalformedJSON", "The request body submitted was malformed JSON.")
        }
        if let busy = state.busyAfterFailures, busy.remaining > 0,
            state.attempts.filter({ $0.outcome == "refused" }).count >= busy.failures
        {
            state.busyAfterFailures?.remaining -= 1
            state.attempts.append(Attempt(time: now, user: user, outcome: "busy"))
            return Self.error(503, "Base.1.8.ServiceTemporarilyUnavailable", "The service is temporarily unavailable.")
        }
        let index: Int
        switch checkLogin(user: user, password: password, state: &state) {
        case .success(let found): index = found
        case .failure(let refusal): return refusal.response
        }
        guard state.sessions.count < sessionLimit else {
            return Self.error(
                503, "Base.1.8.SessionLimitExceeded",
                "The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.")
        }
        let id = String(state.nextSession)
        state.nextSession += 1
        let token = UUID().uuidString.lowercased().replacing("-", with: "")
        let account = state.accounts[index]
        state.sessions.append(Session(id: id, token: token, accountID: account.id, restricted: account.passwordChangeRequired))
        let location = "/redfish/v1/SessionService/Sessions/\(id)"
        var members: [JSONMember] = [
            JSONMember("@odata.id", .string(location)), JSONMember("Id", .string(id)), JSONMember("UserName", .string(user)),
        ]
        if account.passwordChangeRequired {
            members.append(
                JSONMember(
                    "@Message.ExtendedInfo",
                    [
                        Self.message(
                            "Base.1.8.PasswordChangeRequired",
                            "The password provided for this account must be changed before access is granted.",
                            args: ["/redfish/v1/AccountService/Accounts/\(account.id)"])
                    ]))
        }
        return .json(201, .object(members), headers: [("X-Auth-Token", token), ("Location", location)])
    }

    // MARK: - Accounts

    func accountService(overriding: [JSONMember] = []) -> JSONValue {
        let threshold = policy.accountThreshold ?? 0
        var members: [JSONMember] = [
            JSONMember("@odata.id", "/redfish/v1/AccountService"), JSONMember("Id", "AccountService"), JSONMember("ServiceEnabled", true),
            JSONMember("Accounts", ["@odata.id": "/redfish/v1/AccountService/Accounts"]),
        ]
        if personality != .ilo5 {
            // iDRAC reports zeros; the DMTF reference reports its real policy.
            members += [
                JSONMember("AccountLockoutThreshold", .integer(threshold)),
                JSONMember("AccountLockoutDuration", .number(Self.number(personality == .dmtf ? policy.accountDuration : 0))),
                JSONMember("AccountLockoutCounterResetAfter", .number(Self.number(personality == .dmtf ? policy.accountResetAfter : 0))),
            ]
        } else {
            members.append(JSONMember("MinPasswordLength", 8))
        }
        for member in overriding {
            members.removeAll { $0.key == member.key }
            members.append(member)
        }
        return .object(members)
    }

    func account(_ account: Account) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("@odata.id", .string("/redfish/v1/AccountService/Accounts/\(account.id)")),
            JSONMember("@odata.type", "#ManagerAccount.v1_3_0.ManagerAccount"),
            JSONMember("Id", .string(account.id)), JSONMember("UserName", .string(account.user)), JSONMember("Password", nil),
            JSONMember("Enabled", .bool(!account.user.isEmpty)), JSONMember("Locked", false),
            JSONMember("RoleId", .string(account.user.isEmpty ? "None" : "Administrator")),
            JSONMember("PasswordChangeRequired", .bool(account.passwordChangeRequired)),
        ]
        if personality == .ilo5 {
            members.append(JSONMember("Oem", ["Hpe": ["LoginName": .string(account.user)]]))
        }
        return .object(members)
    }

    func patchAccount(_ request: SimulatedRequest, index: Int, caller: Caller, state: inout State) -> SimulatedResponse {
        if let match = request.header("if-match"), match != Self.etag(state.accounts[index]) {
            return Self.error(
                412, "Base.1.8.PreconditionFailed", "The ETag supplied did not match the ETag required to change this resource.")
        }
        guard let body = try? JSONValue(parsing: request.body), let password = body["Password"]?.stringValue else {
            return Self.error(400, "Base.1.8.PropertyMissing", "The request body lacks the Password property.")
        }
        guard password.count >= 8 else {
            return Self.error(
                400, "Base.1.8.PropertyValueFormatError",
                "The value for the property Password is of a different format than the property can accept (at least 8 characters).")
        }
        if state.accounts[index].passwordChangeRequired && password == state.accounts[index].password {
            return Self.error(400, "Base.1.8.PropertyValueIncorrect", "The new password must differ from the current one.")
        }
        state.accounts[index].password = password
        state.accounts[index].passwordChangeRequired = false
        state.accounts[index].version += 1
        // As iDRAC does: a new password ends the account's sessions; their tokens stop working.
        let accountID = state.accounts[index].id
        state.sessions.removeAll { $0.accountID == accountID }
        return SimulatedResponse(status: 204, headers: [("ETag", Self.etag(state.accounts[index]))])
    }

    // MARK: - Control

    func control(_ request: SimulatedRequest) -> SimulatedResponse {
        let body = try? JSONValue(parsing: request.body)
        switch (request.method, request.path) {
        case ("GET", "/_simulator/state"):
            return state.withLock { state in
                .json(
                    200,
                    [
                        "sessions": .integer(state.sessions.count), "lockouts": .integer(state.lockouts),
                        "firmwareVersion": .string(state.firmwareVersion),
                        "images": .array(state.images.map { $0.json }),
                        "attempts": .array(
                            state.attempts.map {
                                ["time": .number(Self.number($0.time)), "user": .string($0.user), "outcome": .string($0.outcome)]
                            }),
                    ])
            }
        case ("POST", "/_simulator/check"):
            let user = body?["user"]?.stringValue ?? ""
            let password = body?["password"]?.stringValue ?? ""
            let matches = state.withLock { $0.accounts.contains { $0.user == user && !user.isEmpty && $0.password == password } }
            return .json(200, ["matches": .bool(matches)])
        case ("POST", "/_simulator/busy"):
            state.withLock { state in
                state.tasks.append(UpdateTask(id: String(state.tasks.count + 1), started: now, outcome: .busy, fetchError: nil))
            }
            return .json(200, ["busy": true])
        case ("POST", "/_simulator/slow"):
            let prefix = body?["prefix"]?.stringValue ?? "/"
            let milliseconds = body?["ms"]?.intValue ?? 0
            state.withLock { $0.slow = milliseconds > 0 ? [(prefix, milliseconds)] : [] }
            return .json(200, ["prefix": .string(prefix), "ms": .integer(milliseconds)])
        case ("POST", "/_simulator/account-service"):
            let members = body?.objectValue ?? []
            state.withLock { $0.accountServiceOverride = members }
            return .json(200, .object(members))
        case ("POST", "/_simulator/redirect"):
            let prefix = body?["prefix"]?.stringValue ?? "/"
            let status = body?["status"]?.intValue ?? 307
            let location = body?["location"]?.stringValue ?? ""
            state.withLock { $0.redirect = location.isEmpty ? [] : [(prefix, status, location)] }
            return .json(200, ["prefix": .string(prefix), "status": .integer(status), "location": .string(location)])
        case ("POST", "/_simulator/busy-after-failures"):
            let failures = body?["failures"]?.intValue ?? 1
            let count = body?["count"]?.intValue ?? 1
            state.withLock { $0.busyAfterFailures = (failures, count) }
            return .json(200, ["failures": .integer(failures), "count": .integer(count)])
        case ("POST", "/_simulator/gateway"):
            let prefix = body?["prefix"]?.stringValue ?? "/"
            let status = body?["status"]?.intValue ?? 502
            let count = body?["count"]?.intValue ?? 1
            let method = body?["method"]?.stringValue
            state.withLock { $0.gateway = [(method, prefix, status, count)] }
            return .json(200, ["prefix": .string(prefix), "status": .integer(status), "count": .integer(count)])
        default:
            return .json(404, ["error": "no such control endpoint"])
        }
    }

    // MARK: - Shapes

    static func collection(_ path: String, _ members: [String]) -> JSONValue {
        [
            "@odata.id": .string(path), "Members@odata.count": .integer(members.count),
            "Members": .array(members.map { ["@odata.id": .string($0)] }),
        ]
    }

    static func message(_ id: String, _ text: String, args: [String] = []) -> JSONValue {
        [
            "MessageId": .string(id), "Message": .string(text), "MessageArgs": .array(args.map { .string($0) }), "Severity": "Critical",
            "Resolution": "None",
        ]
    }

    static func error(_ status: Int, _ id: String, _ text: String, args: [String] = []) -> SimulatedResponse {
        .json(status, ["error": ["code": .string(id), "message": .string(text), "@Message.ExtendedInfo": [message(id, text, args: args)]]])
    }

    static func etag(_ account: Account) -> String { "W/\"\(account.id)-\(account.version)\"" }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
