import Kubernetes
import Nautobot
import StepRuntime

/// What `get-obm-creds` was asked for, from its options and the environment, checked before
/// anything is read or written; `secretName()` then finds or makes the Secret.
public struct CredentialsRequest: Sendable {
    public let hostname: String
    public let source: CredentialSource
    /// The BMC's IP for the standard source; looked up in Nautobot when nil.
    public let ip: String?
    /// The standard source's username: it goes into the Secret as it is.
    public let username: String
    public let owner: SecretOwner.Kind
    public let persist: Bool
    let environment: [String: String]

    public static let environmentHelp =
        [
            EnvironmentSetting("OBM_CREDS_SOURCE", "secret (default) or standard"),
            EnvironmentSetting("OBM_USERNAME_DEFAULT", "the standard source's username (default root)"),
            EnvironmentSetting("HOSTNAME, KUBERNETES_POD_UID", "the pod that owns a new Secret (uid read from the API when unset)"),
            EnvironmentSetting("WORKFLOW_NAME, WORKFLOW_UID", "the Workflow that owns it with --owner workflow"),
            EnvironmentSetting("POD_NAMESPACE", "the namespace (else the service account's, the kubeconfig's, default)"),
            EnvironmentSetting("KUBECONFIG", "outside a pod: the cluster to use"),
            EnvironmentSetting(
                "KUBERNETES_SERVICE_ACCOUNT_DIR",
                "the service-account folder (default \(KubernetesConfiguration.defaultServiceAccountDirectory))"),
        ] + NautobotSettings.environmentHelp

    /// Options win over their environment settings (`OBM_CREDS_SOURCE`, `OBM_USERNAME_DEFAULT`);
    /// a malformed one is bad input naming it.
    public static func fromEnvironment(
        _ environment: [String: String], hostname: String, source: String?, ip: String?, username: String?,
        owner: SecretOwner.Kind, persist: Bool
    ) throws -> CredentialsRequest {
        let source = try CredentialSource.named(source ?? environment.setting("OBM_CREDS_SOURCE") ?? "secret")
        try DeviceLookup.validate(hostname: hostname)
        if let ip, !IPAddressText.isIPv4(ip) && !IPAddressText.isIPv6(ip) {
            throw StepError.badInput("--ip \"\(ip)\" is not an IPv4 or IPv6 address")
        }
        let user = username ?? environment.setting("OBM_USERNAME_DEFAULT") ?? CredentialSource.defaultUsername
        try AccountName.validate(user, setting: username != nil ? "--username" : "OBM_USERNAME_DEFAULT")
        return CredentialsRequest(
            hostname: hostname, source: source, ip: ip, username: user, owner: owner, persist: persist, environment: environment)
    }

    /// The existing Secret (source `secret`), or `obm-creds-<pod uid>` made and owned for this run
    /// (source `standard`).
    public func secretName() throws -> String {
        let kubernetes = try KubernetesClient(configuration: KubernetesConfiguration.resolve(environment: environment))
        switch source {
        case .secret:
            return try ExistingCredentialSecret(client: kubernetes).name(for: hostname)
        case .standard:
            let masterKey = try MasterKey(client: kubernetes).read()
            let address =
                try ip
                ?? OBMAddressLookup(client: NautobotClient.fromEnvironment(environment)).address(
                    of: hostname, interfaceNames: OBMAddressLookup.interfaceNames(from: environment["OBM_INTERFACE_NAMES"]))
            guard let password = StandardPassword.derive(masterKey: masterKey, ip: address) else {
                throw StepError.failure("libcrypto could not derive the password (PBKDF2-HMAC-SHA256)")
            }
            SecretRedaction.register(password)
            let pod = try PodIdentity.resolve(environment: environment, client: kubernetes)
            let secretOwner = try SecretOwner.resolve(kind: owner, persist: persist, pod: pod, environment: environment)
            let name = "obm-creds-" + pod.uid
            try OwnedSecret(
                name: name, data: [("username", username), ("password", password)], owner: secretOwner,
                labels: [("app.kubernetes.io/managed-by", "get-obm-creds")]
            ).publish(with: kubernetes)
            return name
        }
    }
}
