import Foundation
import Kubernetes

/// Reads a key of a ConfigMap or Secret for a pod's `env` (valueFrom configMapKeyRef and
/// secretKeyRef), as the kubelet does when it starts the container.
struct ClusterLookup: Sendable {
    let configuration: KubernetesConfiguration?

    /// The key's value (a Secret's decoded), nil when the object or key is missing.
    func value(of name: String, key: String, secret: Bool) throws -> String? {
        guard let configuration else {
            throw RunError("env from \(secret ? "Secret" : "ConfigMap") \(name) needs a Kubernetes API (KUBECONFIG)")
        }
        do {
            // A client per lookup: DAG tasks run on threads of their own, and a client is one
            // connection used by one thread at a time.
            let kubernetes = try KubernetesClient(configuration: configuration)
            guard let object = try secret ? kubernetes.secret(named: name) : kubernetes.configMap(named: name) else { return nil }
            guard let value = object["data"]?[key]?.stringValue else { return nil }
            if !secret { return value }
            return Data(base64Encoded: value).map { String(decoding: $0, as: UTF8.self) }
        } catch {
            throw RunError(error.message)
        }
    }
}
