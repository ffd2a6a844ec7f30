import HTTP
import JSON
import StepRuntime

/// A Kubernetes API client for exactly what the steps do: Secrets and ConfigMaps get, create and
/// patch; Leases get, create and update; Pods get; Workflows get and publish. Every refusal names the verb, resource and namespace, so RBAC can be fixed from the line.
public final class KubernetesClient {
    public let configuration: KubernetesConfiguration
    private let http: HTTPClient

    public init(configuration: KubernetesConfiguration, retry: RetryPolicy = RetryPolicy()) throws(KubernetesError) {
        self.configuration = configuration
        do {
            http = try HTTPClient(tls: configuration.tls, retry: retry)
        } catch {
            throw .transport(error)
        }
    }

    public var namespace: String { configuration.namespace }

    /// Requests that undo what the step holds (giving up a Lease): still sent after SIGTERM,
    /// within the clean-up bounds, as deleting a BMC session is.
    public var isCleanup = false

    /// The Secret, or nil when there is none by that name.
    public func secret(named name: String) throws(KubernetesError) -> JSONValue? {
        try getObject(resource: "secrets", name: name)
    }

    /// The ConfigMap, or nil when there is none by that name.
    public func configMap(named name: String) throws(KubernetesError) -> JSONValue? {
        try getObject(resource: "configmaps", name: name)
    }

    /// The Pod; a missing one is an error.
    public func pod(named name: String) throws(KubernetesError) -> JSONValue {
        guard let pod = try getObject(resource: "pods", name: name) else {
            throw .notFound(request: describe("get", "pods", name))
        }
        return pod
    }

    /// The Argo Workflow (workflows.argoproj.io) as the JSON text the API server sent, or nil
    /// when there is none by that name: its status is what the fleet steps read to count failed
    /// hosts, and a large rollout's is read member by member rather than parsed whole.
    public func workflowText(named name: String) throws(KubernetesError) -> [UInt8]? {
        try getText(resource: "workflows", name: name)
    }

    /// Creates the Workflow, or replaces the one by that name (the local runner publishing its
    /// progress the way Argo's controller does). A custom resource is never updated
    /// unconditionally: the API server refuses an update without `metadata.resourceVersion`
    /// (422, apiserver registry/generic/registry/store.go, "must be specified for an update",
    /// since the CRD strategy's AllowUnconditionalUpdate is false), and a stale one is 409: the
    /// current version is read and the update made again.
    public func publishWorkflow(_ workflow: JSONValue) throws(KubernetesError) {
        let name = workflow["metadata"]?["name"]?.stringValue ?? ""
        for _ in 1...5 {
            // The version our last write left needs no read; a 409 says someone else wrote since.
            var version = publishedVersions[name]
            if version == nil {
                guard let current = try object("workflows", named: name) else {
                    if case .created(let made) = try create("workflows", workflow) {
                        publishedVersions[name] = made["metadata"]?["resourceVersion"]?.stringValue
                        return
                    }
                    continue
                }
                version = current["metadata"]?["resourceVersion"]?.stringValue
            }
            let metadata = (workflow["metadata"] ?? [:]).setting("resourceVersion", to: version.map { .string($0) } ?? .null)
            switch try replace("workflows", named: name, with: workflow.setting("metadata", to: metadata)) {
            case .replaced(let made):
                publishedVersions[name] = made["metadata"]?["resourceVersion"]?.stringValue
                return
            case .conflict, .notFound:
                publishedVersions[name] = nil
            }
        }
        throw .rejected(
            request: describe("update", "workflows", name), status: 409, reason: "Conflict",
            detail: "the Workflow kept changing under five updates in a row")
    }

    /// The resourceVersion each Workflow this client published was left at.
    private var publishedVersions: [String: String] = [:]

    /// The named object of `resource` (secrets, configmaps, pods, leases, workflows), or nil
    /// when there is none.
    public func object(_ resource: String, named name: String) throws(KubernetesError) -> JSONValue? {
        try getObject(resource: resource, name: name)
    }

    /// Creates `object` in `resource`; AlreadyExists is an outcome, not an error.
    public func create(_ resource: String, _ object: JSONValue) throws(KubernetesError) -> CreateOutcome {
        let name = object["metadata"]?["name"]?.stringValue
        let request = describe("create", resource, name)
        let response = try send(
            .post, collectionPath(resource), body: object, contentType: "application/json", request: request, allowing: [409])
        if response.status == 409 { return .alreadyExists }
        return .created(try decode(response, request))
    }

    /// A JSON merge patch (RFC 7386) of the named object; nil when there is none.
    public func mergePatch(_ resource: String, named name: String, _ patch: JSONValue) throws(KubernetesError) -> JSONValue? {
        let request = describe("patch", resource, name)
        let response = try send(
            .patch, collectionPath(resource) + "/" + name, body: patch, contentType: "application/merge-patch+json", request: request,
            allowing: [404])
        if response.status == 404 { return nil }
        return try decode(response, request)
    }

    /// The outcome of an update that carries the resourceVersion it was read at.
    public enum ReplaceOutcome: Sendable {
        case replaced(JSONValue)
        /// 409: it changed since it was read.
        case conflict
        case notFound
    }

    /// Replaces the named object (PUT); `object` carries the resourceVersion it was read at.
    public func replace(_ resource: String, named name: String, with object: JSONValue) throws(KubernetesError) -> ReplaceOutcome {
        let request = describe("update", resource, name)
        let response = try send(
            .put, collectionPath(resource) + "/" + name, body: object, contentType: "application/json", request: request,
            allowing: [404, 409])
        switch response.status {
        case 404: return .notFound
        case 409: return .conflict
        default: return .replaced(try decode(response, request))
        }
    }

    /// The outcome of a create: made, or there already was one by that name.
    public enum CreateOutcome: Sendable {
        case created(JSONValue)
        case alreadyExists
    }

    // MARK: -

    func collectionPath(_ resource: String) -> String {
        switch resource {
        case "workflows": "/apis/argoproj.io/v1alpha1/namespaces/\(namespace)/workflows"
        case "leases": "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases"
        default: "/api/v1/namespaces/\(namespace)/\(resource)"
        }
    }

    func describe(_ verb: String, _ resource: String, _ name: String?) -> KubernetesRequestDescription {
        KubernetesRequestDescription(verb: verb, resource: resource, name: name, namespace: namespace, server: configuration.server)
    }

    func getObject(resource: String, name: String) throws(KubernetesError) -> JSONValue? {
        guard let text = try getText(resource: resource, name: name) else { return nil }
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw .invalidAnswer("Kubernetes API answered get \(resource) with something that is not JSON (\(error))")
        }
    }

    /// The named object's JSON text, or nil when there is none.
    func getText(resource: String, name: String) throws(KubernetesError) -> [UInt8]? {
        guard KubernetesNames.isValidSubdomain(name) else { return nil }
        let response = try send(
            .get, collectionPath(resource) + "/" + name, body: nil, contentType: nil, request: describe("get", resource, name),
            allowing: [404])
        return response.status == 404 ? nil : response.body
    }

    func decode(_ response: HTTPResponse, _ request: KubernetesRequestDescription) throws(KubernetesError) -> JSONValue {
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw .invalidAnswer("Kubernetes API answered \(request.verb) \(request.resource) with something that is not JSON (\(error))")
        }
    }

    func bearerToken() throws(KubernetesError) -> String? {
        switch configuration.credentials {
        case .token(let token): return token
        case .tokenFile(let path):
            // Read on every request: kubelet rotates projected tokens in place.
            guard let text = LocalFile.readText(path, limit: 64 << 10) else {
                throw .configuration("service-account token \(path) cannot be read")
            }
            let token = text.trimmedWhitespace
            SecretRedaction.register(token)
            return token
        case .clientCertificate, .none: return nil
        }
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: JSONValue?, contentType: String?, request: KubernetesRequestDescription,
        allowing allowed: Set<Int>
    ) throws(KubernetesError) -> HTTPResponse {
        var headers = [HTTPHeader("Accept", "application/json")]
        if let token = try bearerToken() { headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
        if let contentType { headers.append(HTTPHeader("Content-Type", contentType)) }
        let response: HTTPResponse
        var outgoing = HTTPRequest(
            method, configuration.server + path, headers: headers, body: body.map { .bytes(Array($0.serialized.utf8)) } ?? .none)
        // A JSON merge patch is idempotent (RFC 7386: the same patch twice gives the same
        // object), so, unlike a POST, it may go on a kept-alive connection: a BMC step patches
        // the login history twice per login.
        if method == .patch && contentType == "application/merge-patch+json" { outgoing.freshConnection = false }
        if isCleanup {
            outgoing.isCleanup = true
            outgoing.isRetryable = false
            outgoing.timeouts = .cleanup
        }
        do {
            response = try http.send(outgoing)
        } catch {
            throw .transport(error)
        }
        if response.isSuccess || allowed.contains(response.status) { return response }
        let status = KubernetesStatus(response)
        switch response.status {
        case 401: throw .unauthorized(request: request, detail: status.reason)
        case 403: throw .forbidden(request: request, detail: status.message)
        case 404: throw .notFound(request: request)
        case _ where HTTPResponse.isTransient(status: response.status):
            throw .unavailable(request: request, status: response.status, detail: status.message)
        default: throw .rejected(request: request, status: response.status, reason: status.reason, detail: status.message)
        }
    }
}
