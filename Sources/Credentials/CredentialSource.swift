import FoundationEssentials
import JSON
import Kubernetes
import Nautobot
import StepRuntime

/// Where `get-obm-creds` finds a BMC's credentials; every site keeps them somewhere else.
public enum CredentialSource: String, Sendable, CaseIterable {
    /// Already in a Secret: `obm-creds-<hostname>` if it exists, else `obm-creds`. Nothing copied.
    case secret
    /// Derived from the `obm-master` key and the BMC's IP (`StandardPassword`), into a new Secret.
    case standard

    public static let defaultUsername = "root"
    public static let masterSecretName = "obm-master"

    public static func named(_ name: String) throws(StepError) -> CredentialSource {
        guard let source = CredentialSource(rawValue: name.lowercased()) else {
            throw .badInput("credential source \"\(name)\" is not one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return source
    }
}

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

/// The master key of the `standard` source, from Secret `obm-master`, key `key`.
public struct MasterKey {
    let client: KubernetesClient

    public init(client: KubernetesClient) {
        self.client = client
    }

    public func read() throws -> String {
        guard let secret = try client.secret(named: CredentialSource.masterSecretName) else {
            throw StepError.badInput(
                "no Secret \(CredentialSource.masterSecretName) in namespace \(client.namespace): the standard source needs its master key (key \"key\")"
            )
        }
        guard let encoded = secret["data"]?["key"]?.stringValue, let decoded = Data(base64Encoded: encoded),
            let key = String(validating: Array(decoded), as: UTF8.self), !key.isEmpty
        else {
            throw StepError.badInput(
                "Secret \(CredentialSource.masterSecretName) in namespace \(client.namespace) has no usable key \"key\"")
        }
        try SecretRedaction.registerCredential(key, setting: "Secret \(CredentialSource.masterSecretName) key \"key\"")
        if key.hasSuffix("\n") {
            Log.warning(
                "the master key in Secret \(CredentialSource.masterSecretName) ends with a newline, which is part of the derivation (created with --from-file?)"
            )
        }
        return key
    }
}
