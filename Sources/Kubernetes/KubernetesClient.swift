import HTTPClient
import JSON
import StepRuntime

/// A Kubernetes API client for exactly what the steps do: Secrets get, create and patch; Pods
/// get. Every refusal names the verb, resource and namespace, so RBAC can be fixed from the line.
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

    /// The Argo Workflow (workflows.argoproj.io), or nil when there is none by that name: its
    /// status is what the fleet steps read to count failed hosts.
    public func workflow(named name: String) throws(KubernetesError) -> JSONValue? {
        try getObject(resource: "workflows", name: name)
    }

    /// Creates the Workflow, or replaces the one by that name (the local runner publishing its
    /// progress the way Argo's controller does).
    public func publishWorkflow(_ workflow: JSONValue) throws(KubernetesError) {
        let name = workflow["metadata"]?["name"]?.stringValue ?? ""
        let update = describe("update", "workflows", name)
        let replaced = try send(
            .put, collectionPath("workflows") + "/" + name, body: workflow, contentType: "application/json", request: update,
            allowing: [404])
        guard replaced.status == 404 else { return }
        _ = try send(
            .post, collectionPath("workflows"), body: workflow, contentType: "application/json",
            request: describe("create", "workflows", name),
            allowing: [])
    }

    /// The outcome of a create: made, or there already was one by that name.
    public enum CreateOutcome: Sendable {
        case created(JSONValue)
        case alreadyExists
    }

    public func createSecret(_ secret: JSONValue) throws(KubernetesError) -> CreateOutcome {
        let name = secret["metadata"]?["name"]?.stringValue
        let request = describe("create", "secrets", name)
        let response = try send(
            .post, collectionPath("secrets"), body: secret, contentType: "application/json", request: request, allowing: [409])
        if response.status == 409 { return .alreadyExists }
        return .created(try decode(response, request))
    }

    /// A JSON merge patch (RFC 7386) of the named Secret.
    public func patchSecret(named name: String, mergePatch: JSONValue) throws(KubernetesError) -> JSONValue {
        let request = describe("patch", "secrets", name)
        let response = try send(
            .patch, collectionPath("secrets") + "/" + name, body: mergePatch, contentType: "application/merge-patch+json", request: request,
            allowing: [])
        return try decode(response, request)
    }

    // MARK: -

    func collectionPath(_ resource: String) -> String {
        resource == "workflows"
            ? "/apis/argoproj.io/v1alpha1/namespaces/\(namespace)/workflows" : "/api/v1/namespaces/\(namespace)/\(resource)"
    }

    func describe(_ verb: String, _ resource: String, _ name: String?) -> KubernetesRequestDescription {
        KubernetesRequestDescription(verb: verb, resource: resource, name: name, namespace: namespace, server: configuration.server)
    }

    func getObject(resource: String, name: String) throws(KubernetesError) -> JSONValue? {
        let request = describe("get", resource, name)
        guard KubernetesNames.isValidSubdomain(name) else { return nil }
        let response = try send(.get, collectionPath(resource) + "/" + name, body: nil, contentType: nil, request: request, allowing: [404])
        if response.status == 404 { return nil }
        return try decode(response, request)
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
        do {
            response = try http.send(
                HTTPRequest(
                    method, configuration.server + path, headers: headers, body: body.map { .bytes(Array($0.serialized.utf8)) } ?? .none))
        } catch {
            throw .transport(error)
        }
        if response.isSuccess || allowed.contains(response.status) { return response }
        let status = KubernetesStatus(response)
        switch response.status {
        case 401: throw .unauthorized(request: request, detail: status.reason)
        case 403: throw .forbidden(request: request, detail: status.message)
        case 404: throw .notFound(request: request)
        case 429, 500...599: throw .unavailable(request: request, status: response.status, detail: status.message)
        default: throw .rejected(request: request, status: response.status, reason: status.reason, detail: status.message)
        }
    }
}
