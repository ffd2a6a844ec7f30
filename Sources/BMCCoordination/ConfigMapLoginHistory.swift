import FoundationEssentials
import JSON
import Kubernetes
import Redfish
import StepRuntime

/// A BMC's failed-login history in a ConfigMap of the workflow's namespace, shared by every pod
/// that logs in to the BMC. One data key per attempt (`attempt.<id>`), added and updated by JSON
/// merge patches: patches of different keys never conflict, so concurrent writers never lose
/// each other's records, and no resourceVersion dance is needed. Old keys are pruned by patching
/// them to null. `format` says which layout wrote it; `policy` is the BMC's own lockout policy
/// as read at a successful login. Times and outcomes only: nothing derived from a password.
public final class ConfigMapLoginHistory: LoginHistory {
    /// The layout this code reads and writes; a newer one is refused, never read as empty.
    public static let format = 1

    let client: KubernetesClient
    public let name: String
    let bmc: String
    let pod: String

    public init(client: KubernetesClient, name: BMCObjectName, bmc: String, pod: String) {
        self.client = client
        self.name = name.history
        self.bmc = bmc
        self.pod = pod
    }

    public var location: String { "ConfigMap \(name) in namespace \(client.namespace)" }

    public func read() throws -> LoginHistoryContents {
        guard let configMap = try client.object("configmaps", named: name) else { return LoginHistoryContents() }
        return try contents(of: configMap)
    }

    /// The records a ConfigMap of this layout holds.
    func contents(of configMap: JSONValue) throws -> LoginHistoryContents {
        let data = configMap["data"]?.objectValue ?? []
        guard !data.isEmpty else { return LoginHistoryContents() }
        guard let formatText = data.first(where: { $0.key == "format" })?.value.stringValue else {
            throw malformed("it has no \"format\" key")
        }
        guard let format = Int(formatText) else { throw malformed("format \"\(formatText)\" is not a number") }
        guard format <= Self.format else {
            throw StepError.failure(
                "\(location) was written by a newer version of these steps (format \(format); this one reads \(Self.format)): upgrade the step images; its records are not ignored"
            )
        }
        var contents = LoginHistoryContents()
        for member in data where member.key != "format" {
            guard let text = member.value.stringValue else { throw malformed("key \(member.key) is not a string") }
            if member.key == "policy" {
                let stored = try decode(StoredPolicy.self, text, key: member.key)
                guard stored.threshold.map({ $0 >= 1 }) ?? true,
                    [stored.resetAfter ?? 0, stored.duration ?? 0, stored.spacing].allSatisfy({ $0 >= 0 })
                else { throw malformed("key policy: a threshold below 1 or a negative period") }
                contents.learnedPolicy = stored.policy
            } else if member.key.hasPrefix(Self.attemptPrefix) {
                let id = String(member.key.dropFirst(Self.attemptPrefix.count))
                contents.attempts.append(try decode(StoredAttempt.self, text, key: member.key).attempt(id: id, key: member.key, in: self))
            } else {
                throw malformed("key \(member.key) is not one these steps write")
            }
        }
        return contents
    }

    /// The merge patch answers with the whole ConfigMap as it is after our write: the API server
    /// applies writes to one object one at a time, so every record written before ours is in it.
    @discardableResult
    public func write(_ attempt: LoginAttempt) throws -> LoginHistoryContents {
        let record = StoredAttempt(
            sent: UTCTimestamp.format(attempt.sent, fractionDigits: 3), outcome: attempt.outcome.rawValue,
            credentials: attempt.credentials.rawValue, step: attempt.step, pod: pod)
        return try contents(of: try apply([JSONMember(Self.attemptPrefix + attempt.id, .string(record.json.serialized))]))
    }

    public func remember(_ policy: LockoutPolicy) throws {
        _ = try apply([JSONMember("policy", .string(StoredPolicy(policy, learnedAt: StepClock.wall()).json.serialized))])
    }

    public func forget(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let patch: JSONValue = ["data": .object(ids.map { JSONMember(Self.attemptPrefix + $0, .null) })]
        _ = try client.mergePatch("configmaps", named: name, patch)
        Log.debug("pruned \(ids.count) old record(s) from \(location)")
    }

    static let attemptPrefix = "attempt."

    /// Merge-patches the keys in; creates the ConfigMap when there is none yet (and patches
    /// after all when another pod created it first).
    func apply(_ entries: [JSONMember]) throws -> JSONValue {
        let data = [JSONMember("format", .string(String(Self.format)))] + entries
        for _ in 1...3 {
            if let patched = try client.mergePatch("configmaps", named: name, ["data": .object(data)]) { return patched }
            let manifest: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "name": .string(name),
                    "labels": ["app.kubernetes.io/managed-by": "baremetal-steps", "app.kubernetes.io/component": "obm-login-history"],
                    "annotations": ["baremetal-steps/bmc": .string(bmc)],
                ],
                "data": .object(data),
            ]
            if case .created(let made) = try client.create("configmaps", manifest) { return made }
        }
        throw StepError.transient("\(location) was deleted and created again under three writes in a row; try again")
    }

    func decode<Value: Decodable>(_ type: Value.Type, _ text: String, key: String) throws -> Value {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw malformed("key \(key): \(error)")
        }
        do {
            return try JSONValueDecoder().decode(type, from: json)
        } catch let error as DecodingError {
            throw malformed("key \(key): \(error.fieldDescription)")
        }
    }

    func malformed(_ why: String) -> StepError {
        .failure(
            "\(location) is malformed (\(why)); it is not read as \"no failures\": fix it, or delete it once no step is logging in to the BMC"
        )
    }
}

/// One attempt as a data value: `{"sent", "outcome", "credentials", "step", "pod"}`.
struct StoredAttempt: Codable {
    var sent: String
    var outcome: String
    var credentials: String
    var step: String
    var pod: String

    var json: JSONValue {
        [
            "sent": .string(sent), "outcome": .string(outcome), "credentials": .string(credentials), "step": .string(step),
            "pod": .string(pod),
        ]
    }

    func attempt(id: String, key: String, in history: ConfigMapLoginHistory) throws -> LoginAttempt {
        guard let time = UTCTimestamp.parse(sent) else { throw history.malformed("key \(key): sent \"\(sent)\" is not an RFC 3339 time") }
        guard let outcome = LoginAttempt.Outcome(rawValue: outcome) else {
            throw history.malformed("key \(key): outcome \"\(outcome)\" is not one of \(LoginAttempt.Outcome.allCases.map(\.rawValue))")
        }
        guard let credentials = LoginAttempt.Credentials(rawValue: credentials) else {
            throw history.malformed("key \(key): credentials \"\(credentials)\" is not record or legacy")
        }
        return LoginAttempt(id: id, sent: time, outcome: outcome, credentials: credentials, step: step)
    }
}

/// The learned policy as a data value; a period of null is "never" (JSON has no infinity).
struct StoredPolicy: Decodable {
    var threshold: Int?
    var resetAfter: Double?
    var duration: Double?
    var spacing: Double
    var resetEnabled: Bool
    var learnedAt: String

    enum Keys: String, CodingKey {
        case threshold, resetAfter, duration, spacing, resetEnabled, learnedAt
    }

    init(_ policy: LockoutPolicy, learnedAt: Double) {
        threshold = policy.threshold
        resetAfter = policy.resetAfter.isFinite ? policy.resetAfter : nil
        duration = policy.duration.isFinite ? policy.duration : nil
        spacing = policy.minimumSpacing
        resetEnabled = policy.resetEnabled
        self.learnedAt = UTCTimestamp.format(learnedAt, fractionDigits: 0)
    }

    /// Every key must be there; null is a value (no threshold, a period of "never").
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        for key in [Keys.threshold, .resetAfter, .duration] where !container.contains(key) {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: [], debugDescription: "missing"))
        }
        threshold = try container.decodeIfPresent(Int.self, forKey: .threshold)
        resetAfter = try container.decodeIfPresent(Double.self, forKey: .resetAfter)
        duration = try container.decodeIfPresent(Double.self, forKey: .duration)
        spacing = try container.decode(Double.self, forKey: .spacing)
        resetEnabled = try container.decode(Bool.self, forKey: .resetEnabled)
        learnedAt = try container.decode(String.self, forKey: .learnedAt)
    }

    var json: JSONValue {
        [
            "threshold": threshold.map { .integer($0) } ?? .null, "resetAfter": resetAfter.map { .number(String($0)) } ?? .null,
            "duration": duration.map { .number(String($0)) } ?? .null, "spacing": .number(String(spacing)),
            "resetEnabled": .bool(resetEnabled), "learnedAt": .string(learnedAt),
        ]
    }

    var policy: LockoutPolicy {
        LockoutPolicy(
            threshold: threshold, resetAfter: resetAfter ?? .infinity, duration: duration ?? .infinity, minimumSpacing: spacing,
            resetEnabled: resetEnabled, source: "learned at a login on \(learnedAt)")
    }
}
