import FoundationEssentials
import JSON
import SimulatorSupport
import Synchronization

/// A Kubernetes API server in miniature for Secrets, Pods and ConfigMaps in namespaces: the
/// requests the steps make and the ones `kubectl get`/`kubectl create secret` make, in the real
/// server's JSON shapes. Bearer tokens are checked (401 without one), verbs can be denied (403
/// with RBAC's message), objects get uid and resourceVersion, and names are validated (422).
///
/// Control endpoints for tests: `POST /_simulator/tokens {"tokens": [...]}` replaces the accepted
/// tokens (token rotation); `POST /_simulator/deny {"rules": ["get:pods"]}` replaces the denials;
/// `POST /_simulator/fail {"match": "get workflows/", "after": 51, "count": 1, "status": 503,
/// "retryAfter": 120}` fails requests whose log line starts with `match`, once `after` of them
/// went through; `GET /_simulator/log` lists the requests served as `verb resource/name`.
public final class KubernetesSimulator: SimulatedService {
    struct Key: Hashable {
        var resource: String
        var namespace: String
        var name: String
    }

    struct State {
        var objects: [Key: JSONValue] = [:]
        var order: [Key] = []
        var resourceVersion = 1000
        var tokens: Set<String>
        var denials: Set<String>
        var log: [String] = []
        var failures: [Failure] = []
    }

    /// Requests scripted to fail, as an overloaded API server answers them.
    struct Failure {
        var match: String
        var after: Int
        var count: Int
        var status: Int
        var retryAfter: Int?
    }

    static let kinds = ["secrets": "Secret", "pods": "Pod", "configmaps": "ConfigMap", "workflows": "Workflow", "leases": "Lease"]
    /// The kinds served under an API group rather than the core /api/v1.
    static let groups: [(prefix: [String], resource: String)] = [
        (["argoproj.io", "v1alpha1"], "workflows"), (["coordination.k8s.io", "v1"], "leases"),
    ]
    /// Kinds whose registry strategy refuses an update without metadata.resourceVersion
    /// (AllowUnconditionalUpdate false): Leases (pkg/registry/coordination/lease/strategy.go)
    /// and custom resources (apiextensions-apiserver customresource/strategy.go). ConfigMaps,
    /// Secrets and Pods allow it (pkg/registry/core/configmap/strategy.go).
    static let conditionalOnly: Set<String> = ["Lease", "Workflow"]
    let user = "system:serviceaccount:argo-events:workflow"
    private let state: Mutex<State>

    /// `denials` are `verb:resource` pairs, e.g. `get:pods`.
    public init(tokens: [String], denials: [String] = [], objects: [JSONValue] = []) throws {
        state = Mutex(State(tokens: Set(tokens), denials: Set(denials)))
        for object in objects {
            guard let kind = object["kind"]?.stringValue, let resource = Self.kinds.first(where: { $0.value == kind })?.key,
                let name = object["metadata"]?["name"]?.stringValue
            else { throw SimulatorFailure("a seed object without a known kind or a name") }
            let namespace = object["metadata"]?["namespace"]?.stringValue ?? "default"
            _ = state.withLock {
                $0.store(
                    Key(resource: resource, namespace: namespace, name: name), Self.completed(object, namespace: namespace, state: &$0))
            }
        }
    }

    public func respond(to request: SimulatedRequest) async -> SimulatedResponse {
        if request.path.hasPrefix("/_simulator/") { return control(request) }
        guard let header = request.header("authorization"), header.hasPrefix("Bearer "),
            state.withLock({ $0.tokens.contains(String(header.dropFirst("Bearer ".count))) })
        else {
            return .json(401, KubernetesStatusBody.unauthorized())
        }
        switch request.path {
        case "/version":
            return .json(200, ["major": "1", "minor": "32", "gitVersion": "v1.32.0-simulator", "platform": "linux/amd64"])
        case "/api", "/api/":
            return .json(
                200,
                [
                    "kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]],
                ])
        case "/apis", "/apis/":
            return .json(200, ["kind": "APIGroupList", "apiVersion": "v1", "groups": []])
        case "/api/v1", "/api/v1/":
            return .json(200, Self.resourceList)
        case _ where request.path.hasPrefix("/api/v1/namespaces/") && request.path.split(separator: "/").count == 4:
            return namespace(String(request.path.split(separator: "/")[3]))
        default:
            return objects(request)
        }
    }

    static var resourceList: JSONValue {
        func resource(_ name: String, _ kind: String, _ short: [JSONValue], namespaced: Bool = true) -> JSONValue {
            [
                "name": .string(name), "singularName": .string(kind.lowercased()), "namespaced": .bool(namespaced), "kind": .string(kind),
                "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": .array(short),
            ]
        }
        return [
            "kind": "APIResourceList", "groupVersion": "v1",
            "resources": [
                resource("configmaps", "ConfigMap", ["cm"]), resource("namespaces", "Namespace", ["ns"], namespaced: false),
                resource("pods", "Pod", ["po"]), resource("secrets", "Secret", []),
            ],
        ]
    }

    // MARK: - Objects

    func objects(_ request: SimulatedRequest) -> SimulatedResponse {
        // /api/v1/namespaces/{namespace}/{resource}[/{name}] for the core kinds; a group's
        // kinds only under their group: /apis/argoproj.io/v1alpha1/.../workflows,
        // /apis/coordination.k8s.io/v1/.../leases.
        var parts = request.path.split(separator: "/").map(String.init)
        if parts.count >= 3, parts[0] == "apis", let group = Self.groups.first(where: { $0.prefix == Array(parts[1...2]) }) {
            parts.replaceSubrange(0..<3, with: ["api", "v1"])
            if parts.count > 4, parts[4] != group.resource { parts[4] = "" }
        } else if parts.count > 4, Self.groups.contains(where: { $0.resource == parts[4] }) {
            parts[4] = ""
        }
        guard parts.count >= 5, parts.count <= 6, parts[0] == "api", parts[1] == "v1", parts[2] == "namespaces",
            let kind = Self.kinds[parts[4]]
        else {
            return .json(
                404, KubernetesStatusBody.failure(404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        let namespace = parts[3]
        let resource = parts[4]
        let name = parts.count == 6 ? parts[5] : nil
        let verb: String
        switch (request.method, name) {
        case ("GET", nil): verb = "list"
        case ("GET", _): verb = "get"
        case ("POST", nil): verb = "create"
        case ("PUT", _?): verb = "update"
        case ("PATCH", _?): verb = "patch"
        case ("DELETE", _?): verb = "delete"
        default:
            return .json(
                405,
                KubernetesStatusBody.failure(
                    405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource"))
        }
        let (denied, failure) = state.withLock { state -> (Bool, Failure?) in
            let line = "\(verb) \(resource)\(name.map { "/" + $0 } ?? "")"
            state.log.append(line)
            return (state.denials.contains("\(verb):\(resource)"), state.scriptedFailure(for: line))
        }
        if let failure {
            return .json(
                failure.status,
                KubernetesStatusBody.failure(
                    failure.status, reason: failure.status == 503 ? "ServiceUnavailable" : "InternalError",
                    message: "the simulator was told to fail this request"),
                headers: failure.retryAfter.map { [("Retry-After", String($0))] } ?? [])
        }
        if denied {
            return .json(403, KubernetesStatusBody.forbidden(verb: verb, resource: resource, name: name, namespace: namespace, user: user))
        }
        switch verb {
        case "list": return list(resource: resource, kind: kind, namespace: namespace)
        case "get": return get(Key(resource: resource, namespace: namespace, name: name ?? ""))
        case "create": return create(request, resource: resource, kind: kind, namespace: namespace)
        case "update": return update(request, Key(resource: resource, namespace: namespace, name: name ?? ""), kind: kind)
        case "patch": return patch(request, Key(resource: resource, namespace: namespace, name: name ?? ""), kind: kind)
        default: return delete(Key(resource: resource, namespace: namespace, name: name ?? ""))
        }
    }

    /// Namespaces exist when named at start (default, argo-events, kube-system) or holding objects.
    func namespace(_ name: String) -> SimulatedResponse {
        let exists =
            ["default", "argo-events", "kube-system"].contains(name) || state.withLock { $0.objects.keys.contains { $0.namespace == name } }
        guard exists else { return .json(404, KubernetesStatusBody.notFound("namespaces", name)) }
        return .json(200, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)], "status": ["phase": "Active"]])
    }

    func list(resource: String, kind: String, namespace: String) -> SimulatedResponse {
        let (items, version) = state.withLock { state in
            (
                state.order.filter { $0.resource == resource && $0.namespace == namespace }.compactMap { state.objects[$0] },
                state.resourceVersion
            )
        }
        return .json(
            200,
            [
                "kind": .string(kind + "List"), "apiVersion": "v1", "metadata": ["resourceVersion": .string(String(version))],
                "items": .array(items),
            ])
    }

    func get(_ key: Key) -> SimulatedResponse {
        guard let object = state.withLock({ $0.objects[key] }) else {
            return .json(404, KubernetesStatusBody.notFound(key.resource, key.name))
        }
        return .json(200, object)
    }

    func create(_ request: SimulatedRequest, resource: String, kind: String, namespace: String) -> SimulatedResponse {
        if let refusal = Self.unsupportedMediaType(request, accepted: ["application/json", "application/vnd.kubernetes.protobuf"]) {
            return refusal
        }
        guard let object = Self.decodeBody(request), object.objectValue != nil else {
            return .json(400, KubernetesStatusBody.badRequest("the body of the request was in an unknown format"))
        }
        if let given = object["kind"]?.stringValue, given != kind {
            return .json(
                400,
                KubernetesStatusBody.badRequest(
                    "the API version in the data (v1) does not match the expected API version (v1) or kind \(given) is not \(kind)"))
        }
        guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
            return .json(
                422,
                KubernetesStatusBody.invalid(
                    kind: kind, name: "", field: "metadata.name", message: "Required value: name or generateName is required"))
        }
        if let objectNamespace = object["metadata"]?["namespace"]?.stringValue, objectNamespace != namespace {
            return .json(
                400,
                KubernetesStatusBody.badRequest("the namespace of the provided object does not match the namespace sent on the request"))
        }
        guard Self.isDNSSubdomain(name) else { return .json(422, KubernetesStatusBody.invalidName(kind: kind, name: name)) }
        if let problem = Self.secretDataProblem(object, kind: kind) { return .json(400, KubernetesStatusBody.badRequest(problem)) }
        if let refusal = Self.validationRefusal(object, kind: kind, name: name) { return refusal }
        let key = Key(resource: resource, namespace: namespace, name: name)
        let stored = state.withLock { state -> JSONValue? in
            guard state.objects[key] == nil else { return nil }
            return state.store(key, Self.completed(object, namespace: namespace, state: &state))
        }
        guard let stored else { return .json(409, KubernetesStatusBody.alreadyExists(resource, name)) }
        return .json(201, stored)
    }

    func update(_ request: SimulatedRequest, _ key: Key, kind: String) -> SimulatedResponse {
        if let refusal = Self.unsupportedMediaType(request, accepted: ["application/json"]) { return refusal }
        guard let object = try? JSONValue(parsing: request.body), object.objectValue != nil else {
            return .json(400, KubernetesStatusBody.badRequest("the body of the request was in an unknown format"))
        }
        return state.withLock { state in
            guard let current = state.objects[key] else { return .json(404, KubernetesStatusBody.notFound(key.resource, key.name)) }
            let given = object["metadata"]?["resourceVersion"]?.stringValue ?? ""
            // apiserver registry/generic/registry/store.go (Update): no resourceVersion is an
            // unconditional update, refused as Invalid where the strategy does not allow it.
            if given.isEmpty && Self.conditionalOnly.contains(kind) {
                return .json(
                    422,
                    KubernetesStatusBody.invalid(
                        kind: key.resource + (kind == "Lease" ? ".coordination.k8s.io" : kind == "Workflow" ? ".argoproj.io" : ""),
                        name: key.name, field: "metadata.resourceVersion", message: "Invalid value: 0x0: must be specified for an update"))
            }
            if !given.isEmpty && given != current["metadata"]?["resourceVersion"]?.stringValue {
                return .json(409, KubernetesStatusBody.conflict(key.resource, key.name))
            }
            return replace(key, current: current, with: object, kind: kind, state: &state)
        }
    }

    func patch(_ request: SimulatedRequest, _ key: Key, kind: String) -> SimulatedResponse {
        let type = request.header("content-type") ?? ""
        guard type.hasPrefix("application/merge-patch+json") || type.hasPrefix("application/strategic-merge-patch+json") else {
            return .json(
                415,
                KubernetesStatusBody.failure(
                    415, reason: "UnsupportedMediaType",
                    message:
                        "the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json"
                ))
        }
        guard let patch = try? JSONValue(parsing: request.body) else {
            return .json(400, KubernetesStatusBody.badRequest("error decoding patch"))
        }
        return state.withLock { state in
            guard let current = state.objects[key] else { return .json(404, KubernetesStatusBody.notFound(key.resource, key.name)) }
            // A resourceVersion in the patch is a precondition (a stale one is 409); without
            // one a patch applies to whatever is there now, for every kind.
            if let given = patch["metadata"]?["resourceVersion"]?.stringValue, given != current["metadata"]?["resourceVersion"]?.stringValue
            {
                return .json(409, KubernetesStatusBody.conflict(key.resource, key.name))
            }
            return replace(key, current: current, with: Self.mergePatch(current, patch), kind: kind, state: &state)
        }
    }

    func replace(_ key: Key, current: JSONValue, with object: JSONValue, kind: String, state: inout State) -> SimulatedResponse {
        if object["metadata"]?["name"]?.stringValue != key.name {
            return .json(
                400,
                KubernetesStatusBody.badRequest(
                    "the name of the object (\(object["metadata"]?["name"]?.stringValue ?? "")) does not match the name on the URL (\(key.name))"
                ))
        }
        if kind == "Secret", let type = object["type"]?.stringValue, type != current["type"]?.stringValue {
            return .json(
                422,
                KubernetesStatusBody.invalid(
                    kind: kind, name: key.name, field: "type", message: "Invalid value: \"\(type)\": field is immutable"))
        }
        if let problem = Self.secretDataProblem(object, kind: kind) { return .json(400, KubernetesStatusBody.badRequest(problem)) }
        if let refusal = Self.validationRefusal(object, kind: kind, name: key.name) { return refusal }
        var metadata = object["metadata"]?.objectValue ?? []
        for field in ["uid", "creationTimestamp", "namespace"] {
            metadata.removeAll { $0.key == field }
            if let value = current["metadata"]?[field] { metadata.append(JSONMember(field, value)) }
        }
        metadata.removeAll { $0.key == "resourceVersion" }
        state.resourceVersion += 1
        metadata.append(JSONMember("resourceVersion", .string(String(state.resourceVersion))))
        var members = object.objectValue ?? []
        members.removeAll { $0.key == "metadata" }
        members.insert(JSONMember("metadata", .object(metadata)), at: min(2, members.count))
        let updated = Self.normalisedSecret(.object(members), kind: kind)
        return .json(200, state.store(key, updated))
    }

    func delete(_ key: Key) -> SimulatedResponse {
        let removed = state.withLock { state -> JSONValue? in
            let object = state.objects.removeValue(forKey: key)
            state.order.removeAll { $0 == key }
            return object
        }
        guard let removed else { return .json(404, KubernetesStatusBody.notFound(key.resource, key.name)) }
        return .json(
            200,
            [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                "details": ["name": .string(key.name), "kind": .string(key.resource), "uid": removed["metadata"]?["uid"] ?? nil],
            ])
    }

    // MARK: - Object rules

    /// Adds what the server sets: namespace, uid, resourceVersion, creationTimestamp; a Secret's
    /// default type and its stringData folded into data.
    static func completed(_ object: JSONValue, namespace: String, state: inout State) -> JSONValue {
        state.resourceVersion += 1
        var metadata = (object["metadata"]?.objectValue ?? []).filter {
            !["namespace", "uid", "resourceVersion", "creationTimestamp"].contains($0.key)
        }
        let existingUID = object["metadata"]?["uid"]?.stringValue
        metadata.insert(JSONMember("namespace", .string(namespace)), at: min(1, metadata.count))
        metadata.append(JSONMember("uid", .string(existingUID ?? UUID().uuidString.lowercased())))
        metadata.append(JSONMember("resourceVersion", .string(String(state.resourceVersion))))
        metadata.append(JSONMember("creationTimestamp", .string(Self.timestamp())))
        var members = (object.objectValue ?? []).filter { $0.key != "metadata" }
        if !members.contains(where: { $0.key == "apiVersion" }) { members.insert(JSONMember("apiVersion", "v1"), at: 0) }
        members.insert(JSONMember("metadata", .object(metadata)), at: min(2, members.count))
        return normalisedSecret(.object(members), kind: object["kind"]?.stringValue ?? "")
    }

    static func normalisedSecret(_ object: JSONValue, kind: String) -> JSONValue {
        guard kind == "Secret", var members = object.objectValue else { return object }
        var data = object["data"]?.objectValue ?? []
        for entry in object["stringData"]?.objectValue ?? [] {
            data.removeAll { $0.key == entry.key }
            data.append(JSONMember(entry.key, .string(Data((entry.value.stringValue ?? "").utf8).base64EncodedString())))
        }
        members.removeAll { $0.key == "stringData" || $0.key == "data" }
        if !data.isEmpty { members.append(JSONMember("data", .object(data))) }
        // The API server defaults an absent or empty type to Opaque.
        members.removeAll { $0.key == "type" && $0.value.stringValue?.isEmpty != false }
        if !members.contains(where: { $0.key == "type" }) { members.append(JSONMember("type", "Opaque")) }
        return .object(members)
    }

    /// A request body as JSON, whether it came as JSON or, from kubectl, as protobuf.
    static func decodeBody(_ request: SimulatedRequest) -> JSONValue? {
        if request.header("content-type")?.hasPrefix("application/vnd.kubernetes.protobuf") == true {
            return try? KubernetesProtobuf.decode(request.body)
        }
        return try? JSONValue(parsing: request.body)
    }

    /// Refuses a body in a media type the simulator does not read, as the API server does.
    static func unsupportedMediaType(_ request: SimulatedRequest, accepted: [String]) -> SimulatedResponse? {
        let type = (request.header("content-type") ?? "application/json").split(separator: ";").first.map(String.init) ?? ""
        guard !accepted.contains(type.trimmingPrefix(" ").lowercased()) else { return nil }
        return .json(
            415,
            KubernetesStatusBody.failure(
                415, reason: "UnsupportedMediaType",
                message:
                    "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))"))
    }

    static func secretDataProblem(_ object: JSONValue, kind: String) -> String? {
        guard kind == "Secret" else { return nil }
        for entry in object["data"]?.objectValue ?? [] {
            guard let text = entry.value.stringValue, Data(base64Encoded: text) != nil else {
                return "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0 (key \(entry.key))"
            }
        }
        return nil
    }

    /// What the API server refuses in a ConfigMap or a Lease: data that is not a map of strings
    /// under valid keys, or over 1 MiB in all (pkg/apis/core/validation ValidateConfigMap); a
    /// Lease time that is not MicroTime's RFC3339Micro (six fraction digits, as Go's
    /// time.Parse with that layout demands) or a duration below 1 (coordination validation).
    static func validationRefusal(_ object: JSONValue, kind: String, name: String) -> SimulatedResponse? {
        switch kind {
        case "ConfigMap":
            var total = 0
            for entry in object["data"]?.objectValue ?? [] {
                guard let text = entry.value.stringValue else {
                    return .json(
                        400,
                        KubernetesStatusBody.badRequest(
                            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal into Go struct field ConfigMap.data of type string"
                        ))
                }
                let validKey =
                    !entry.key.isEmpty && entry.key.count <= 253 && entry.key != "." && entry.key != ".."
                    && entry.key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
                if !validKey {
                    return .json(
                        422,
                        KubernetesStatusBody.invalid(
                            kind: kind, name: name, field: "data[\(entry.key)]",
                            message:
                                "Invalid value: \"\(entry.key)\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
                        ))
                }
                total += entry.key.utf8.count + text.utf8.count
            }
            if total > 1 << 20 {
                return .json(
                    422,
                    KubernetesStatusBody.invalid(kind: kind, name: name, field: "[]", message: "Too long: must have at most 1048576 bytes"))
            }
        case "Lease":
            let spec = object["spec"] ?? [:]
            for field in ["acquireTime", "renewTime"] {
                guard let value = spec[field], !value.isNull else { continue }
                guard let text = value.stringValue, isMicroTime(text) else {
                    return .json(
                        400,
                        KubernetesStatusBody.badRequest(
                            "Lease in version \"v1\" cannot be handled as a Lease: parsing time \"\(spec[field]?.stringValue ?? "")\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse"
                        ))
                }
            }
            if let duration = spec["leaseDurationSeconds"]?.intValue, duration <= 0 {
                return .json(
                    422,
                    KubernetesStatusBody.invalid(
                        kind: "Lease.coordination.k8s.io", name: name, field: "spec.leaseDurationSeconds",
                        message: "Invalid value: \(duration): must be greater than 0"))
            }
        default:
            break
        }
        return nil
    }

    /// `2006-01-02T15:04:05.000000Z07:00`: exactly six fraction digits.
    static func isMicroTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let digit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        guard bytes.count >= 27 else { return false }
        let shape = Array("dddd-dd-ddTdd:dd:dd.dddddd".utf8)
        for (index, expected) in shape.enumerated() {
            if expected == UInt8(ascii: "d") ? !digit(bytes[index]) : bytes[index] != expected { return false }
        }
        let zone = bytes[26...]
        if zone.elementsEqual("Z".utf8) { return true }
        return zone.count == 6 && (zone.first == UInt8(ascii: "+") || zone.first == UInt8(ascii: "-"))
    }

    /// RFC 7386: objects merge member by member, null deletes, anything else replaces.
    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard let patchMembers = patch.objectValue else { return patch }
        var members = target.objectValue ?? []
        for entry in patchMembers {
            if entry.value.isNull {
                members.removeAll { $0.key == entry.key }
            } else if let index = members.firstIndex(where: { $0.key == entry.key }) {
                members[index].value = mergePatch(members[index].value, entry.value)
            } else {
                members.append(JSONMember(entry.key, mergePatch(.object([]), entry.value)))
            }
        }
        return .object(members)
    }

    static func isDNSSubdomain(_ name: String) -> Bool {
        guard name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.first, let last = part.last else { return false }
            return part.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" } && first != "-" && last != "-"
        }
    }

    static func timestamp() -> String {
        Date.now.formatted(.iso8601)
    }

    // MARK: - Control

    func control(_ request: SimulatedRequest) -> SimulatedResponse {
        let body = try? JSONValue(parsing: request.body)
        switch (request.method, request.path) {
        case ("POST", "/_simulator/tokens"):
            let tokens = body?["tokens"]?.arrayValue?.compactMap(\.stringValue) ?? []
            state.withLock { $0.tokens = Set(tokens) }
            return .json(200, ["tokens": .integer(tokens.count)])
        case ("POST", "/_simulator/deny"):
            let rules = body?["rules"]?.arrayValue?.compactMap(\.stringValue) ?? []
            state.withLock { $0.denials = Set(rules) }
            return .json(200, ["rules": .array(rules.map { .string($0) })])
        case ("POST", "/_simulator/fail"):
            let failure = Failure(
                match: body?["match"]?.stringValue ?? "", after: body?["after"]?.intValue ?? 0, count: body?["count"]?.intValue ?? 1,
                status: body?["status"]?.intValue ?? 503, retryAfter: body?["retryAfter"]?.intValue)
            state.withLock { $0.failures.append(failure) }
            return .json(200, ["failures": .integer(state.withLock { $0.failures.count })])
        case ("GET", "/_simulator/log"):
            return .json(200, ["requests": .array(state.withLock { $0.log }.map { .string($0) })])
        default:
            return .json(404, KubernetesStatusBody.notFound("simulator", request.path))
        }
    }
}

extension KubernetesSimulator.State {
    /// The scripted failure this request meets, if any; counts it.
    mutating func scriptedFailure(for line: String) -> KubernetesSimulator.Failure? {
        guard let index = failures.firstIndex(where: { line.hasPrefix($0.match) && $0.count > 0 }) else { return nil }
        if failures[index].after > 0 {
            failures[index].after -= 1
            return nil
        }
        failures[index].count -= 1
        return failures[index]
    }

    mutating func store(_ key: KubernetesSimulator.Key, _ object: JSONValue) -> JSONValue {
        if objects[key] == nil { order.append(key) }
        objects[key] = object
        return object
    }
}
