import HTTP
import JSON
import StepRuntime

/// What went wrong talking to the Kubernetes API, mapped to the contract's exit statuses, with
/// enough said (verb, resource, namespace) for an operator to fix RBAC or configuration.
public enum KubernetesError: StepFailure, Equatable {
    /// No usable configuration (in-cluster files, kubeconfig): exit 64.
    case configuration(String)
    case transport(HTTPError)
    /// 401: the credentials were not accepted.
    case unauthorized(request: KubernetesRequestDescription, detail: String)
    /// 403: RBAC refused the verb.
    case forbidden(request: KubernetesRequestDescription, detail: String)
    case notFound(request: KubernetesRequestDescription)
    /// 429 or 5xx after retries: exit 75.
    case unavailable(request: KubernetesRequestDescription, status: Int, detail: String)
    /// Any other refusal (400, 409, 422, ...), with the API server's message.
    case rejected(request: KubernetesRequestDescription, status: Int, reason: String, detail: String)
    case invalidAnswer(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .configuration: .badInput
        case .transport(let error): error.exitStatus
        case .unavailable: .transient
        case .unauthorized, .forbidden, .notFound, .rejected, .invalidAnswer: .failure
        }
    }

    public var message: String {
        switch self {
        case .configuration(let text): text
        case .transport(let error): "Kubernetes API: " + error.message
        case .unauthorized(let request, let detail):
            "Kubernetes API (\(request.server)) did not accept the credentials to \(request.verb) \(request.resource) in namespace \(request.namespace) (401 \(detail)); check the service-account token or kubeconfig"
        case .forbidden(let request, _):
            "Kubernetes RBAC refused to \(request.verb) \(request.resource)\(request.name.map { " \"\($0)\"" } ?? "") in namespace \(request.namespace) (403); the ServiceAccount needs a Role rule allowing verb \"\(request.verb)\" on resource \"\(request.resource)\""
        case .notFound(let request):
            "\(request.resource) \"\(request.name ?? "")\" not found in namespace \(request.namespace)"
        case .unavailable(let request, let status, let detail):
            "Kubernetes API (\(request.server)) is unavailable (HTTP \(status)\(detail.isEmpty ? "" : ": " + detail)) to \(request.verb) \(request.resource); try again later"
        case .rejected(let request, let status, let reason, let detail):
            "Kubernetes API refused to \(request.verb) \(request.resource)\(request.name.map { " \"\($0)\"" } ?? "") in namespace \(request.namespace) (\(status) \(reason)): \(detail)"
        case .invalidAnswer(let text): text
        }
    }
}

/// The request an error is about: the verb and resource as RBAC names them.
public struct KubernetesRequestDescription: Sendable, Equatable {
    public var verb: String
    public var resource: String
    public var name: String?
    public var namespace: String
    public var server: String
}

/// A refusal as an operator reads it: the reason and the message of its `Status` body, one line,
/// bounded; an answer that is no Status at all (a proxy's HTML page, a gateway's plain text) is
/// said by its own text.
struct KubernetesStatus {
    var reason: String
    var message: String

    /// metav1.Status as the API server writes it; every field is omitempty, so optional.
    struct Body: Decodable {
        var kind: String?
        var reason: String?
        var message: String?
    }

    init(_ response: HTTPResponse) {
        let decoded = (try? JSONValue(parsing: response.body)).flatMap { try? JSONValueDecoder().decode(Body.self, from: $0) }
        let body = decoded?.kind == "Status" ? decoded : nil
        reason = body?.reason ?? "HTTP \(response.status)"
        var text = body?.message ?? response.bodyText.split(whereSeparator: \.isNewline).joined(separator: " ")
        if text.count > 400 { text = String(text.prefix(400)) + "…" }
        message = text
    }
}
