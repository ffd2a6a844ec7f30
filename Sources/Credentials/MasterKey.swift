import FoundationEssentials
import JSON
import Kubernetes
import StepRuntime

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
