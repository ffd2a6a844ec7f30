import JSON
import Kubernetes
import StepRuntime

/// Finds the existing Secret of the `secret` source.
public struct ExistingCredentialSecret {
    let client: KubernetesClient

    public init(client: KubernetesClient) {
        self.client = client
    }

    /// `obm-creds-<hostname>` (lower-cased; a hostname that cannot be a Secret name is skipped),
    /// else `obm-creds`; each must hold `username` and `password`.
    public func name(for hostname: String) throws -> String {
        var candidates: [String] = []
        let specific = "obm-creds-" + hostname.lowercased()
        if KubernetesNames.isValidSubdomain(specific) { candidates.append(specific) }
        candidates.append("obm-creds")
        for name in candidates {
            guard let secret = try client.secret(named: name) else { continue }
            let keys = Set(secret["data"]?.objectValue?.map(\.key) ?? [])
            guard keys.isSuperset(of: ["username", "password"]) else {
                throw StepError.failure("Secret \(name) in namespace \(client.namespace) lacks key username or password")
            }
            return name
        }
        throw StepError.failure(
            "no Secret \(candidates.joined(separator: " or ")) in namespace \(client.namespace) holds the credentials of \"\(hostname)\"")
    }
}
