import FoundationEssentials
import JSON
import StepRuntime

/// Who owns a Secret a step makes, so Kubernetes garbage-collects it.
public enum SecretOwner: Sendable, Equatable {
    /// The step's own Pod; the templates keep pods until the workflow ends (podGC).
    case pod(name: String, uid: String)
    /// The Workflow, for clusters whose podGC removes pods before later steps mount the Secret.
    case workflow(name: String, uid: String)
    /// Nobody: `--persist`.
    case none

    /// The `metadata.ownerReferences` entry. No `blockOwnerDeletion`: where the
    /// OwnerReferencesPermissionEnforcement admission plugin runs, setting it needs delete rights
    /// on the owner, which the step's ServiceAccount does not have.
    public var ownerReferences: JSONValue {
        switch self {
        case .pod(let name, let uid):
            [["apiVersion": "v1", "kind": "Pod", "name": .string(name), "uid": .string(uid)]]
        case .workflow(let name, let uid):
            [["apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "name": .string(name), "uid": .string(uid)]]
        case .none:
            nil
        }
    }
}

/// The step's pod identity: its name (HOSTNAME) and uid (KUBERNETES_POD_UID, else a GET).
public struct PodIdentity: Sendable, Equatable {
    public var name: String
    public var uid: String

    public static func resolve(environment: [String: String], client: KubernetesClient) throws(KubernetesError) -> PodIdentity {
        guard let name = environment.setting("HOSTNAME") else {
            throw .configuration("HOSTNAME is not set: the step must run in a pod, or be given HOSTNAME and KUBERNETES_POD_UID")
        }
        if let uid = environment.setting("KUBERNETES_POD_UID") {
            return PodIdentity(name: name, uid: try validatedUID(uid, what: "KUBERNETES_POD_UID"))
        }
        Log.debug("KUBERNETES_POD_UID is not set; reading the uid of pod \(name)")
        guard let uid = try client.pod(named: name)["metadata"]?["uid"]?.stringValue else {
            throw .invalidAnswer("pod \(name) has no metadata.uid")
        }
        return PodIdentity(name: name, uid: try validatedUID(uid, what: "pod \(name)'s uid"))
    }

    static func validatedUID(_ uid: String, what: String) throws(KubernetesError) -> String {
        let lower = uid.lowercased()
        guard lower.count <= 64, KubernetesNames.isValidLabel(lower) else {
            throw .configuration("\(what) \"\(uid)\" is not a Kubernetes uid")
        }
        return lower
    }
}

/// A Secret of credentials a step hands on: created, or brought up to date if a retried step
/// made it already.
public struct OwnedSecret: Sendable {
    public var name: String
    /// Key to value, as text; base64-encoded on the way out.
    public var data: [(key: String, value: String)]
    public var owner: SecretOwner
    public var labels: [(String, String)]

    public init(name: String, data: [(key: String, value: String)], owner: SecretOwner, labels: [(String, String)] = []) {
        self.name = name
        self.data = data
        self.owner = owner
        self.labels = labels
    }

    var encodedData: JSONValue {
        .object(data.map { JSONMember($0.key, .string(Data($0.value.utf8).base64EncodedString())) })
    }

    var manifest: JSONValue {
        var metadata: [JSONMember] = [JSONMember("name", .string(name))]
        if !labels.isEmpty { metadata.append(JSONMember("labels", .object(labels.map { JSONMember($0.0, .string($0.1)) }))) }
        if owner != .none { metadata.append(JSONMember("ownerReferences", owner.ownerReferences)) }
        return [
            "apiVersion": "v1", "kind": "Secret", "metadata": .object(metadata), "type": "Opaque", "data": encodedData,
        ]
    }

    /// Create, or on AlreadyExists (a retried step) patch data and owner into the one there.
    public func publish(with client: KubernetesClient) throws(KubernetesError) {
        guard KubernetesNames.isValidSubdomain(name) else {
            throw .configuration("Secret name \"\(name)\" is not a valid Kubernetes name")
        }
        switch try client.create("secrets", manifest) {
        case .created:
            Log.info("created Secret \(name) in namespace \(client.namespace)")
        case .alreadyExists:
            let patch: JSONValue = ["metadata": ["ownerReferences": owner.ownerReferences], "data": encodedData]
            guard try client.mergePatch("secrets", named: name, patch) != nil else {
                throw .notFound(request: client.describe("patch", "secrets", name))
            }
            Log.info("updated Secret \(name) in namespace \(client.namespace) (it existed: a retried step)")
        }
    }
}

extension SecretOwner {
    /// Which owner `--owner` names.
    public enum Kind: String, Sendable, CaseIterable {
        case pod, workflow
    }

    /// The owner for `--owner` and `--persist`: the pod, the Workflow (WORKFLOW_NAME and
    /// WORKFLOW_UID, which the template fills from {{workflow.name}} and {{workflow.uid}}), or none.
    public static func resolve(kind: Kind, persist: Bool, pod: PodIdentity, environment: [String: String]) throws(KubernetesError)
        -> SecretOwner
    {
        if persist { return .none }
        switch kind {
        case .pod:
            return .pod(name: pod.name, uid: pod.uid)
        case .workflow:
            guard let name = environment.setting("WORKFLOW_NAME"), let uid = environment.setting("WORKFLOW_UID") else {
                throw .configuration(
                    "--owner workflow needs WORKFLOW_NAME and WORKFLOW_UID ({{workflow.name}} and {{workflow.uid}} in the template)")
            }
            return .workflow(name: name, uid: try PodIdentity.validatedUID(uid, what: "WORKFLOW_UID"))
        }
    }
}
