import ArgumentParser
import Credentials
import Kubernetes
import Nautobot
import StepRuntime

/// `get-obm-creds`: names a Kubernetes Secret holding the BMC's username and password, as `secret`.
@main
struct GetOBMCreds: Step {
    static let configuration = CommandConfiguration(
        commandName: "get-obm-creds",
        abstract: "Names a Kubernetes Secret (keys username, password) with the BMC's credentials; prints and outputs it as `secret`.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["hostname", "source", "ip", "username", "owner"]
    static let flags = ["persist"]
    static let settings =
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

    @Option(help: "The device's name in Nautobot, e.g. host1.domain.local.")
    var hostname: String

    @Option(help: "Where the credentials are: secret or standard (env OBM_CREDS_SOURCE; default secret).")
    var source: String?

    @Option(help: "The BMC's IP, for the standard source; looked up in Nautobot as get-obm-ip does when absent.")
    var ip: String?

    @Option(help: "The standard source's username (env OBM_USERNAME_DEFAULT; default root).")
    var username: String?

    @Option(help: "Who owns a new Secret: pod (default) or workflow.")
    var owner: SecretOwner.Kind = .pod

    @Flag(help: "Make a new Secret without an owner, so it outlives the workflow.")
    var persist = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let environment = ProcessEnvironment.current()
        let source = try CredentialSource.named(source ?? environment.setting("OBM_CREDS_SOURCE") ?? "secret")
        try DeviceLookup.validate(hostname: hostname)
        if let ip, !IPAddressText.isIPv4(ip) && !IPAddressText.isIPv6(ip) {
            throw StepError.badInput("--ip \"\(ip)\" is not an IPv4 or IPv6 address")
        }
        // Checked before anything is read or written: it goes into the Secret as it is.
        let user = username ?? environment.setting("OBM_USERNAME_DEFAULT") ?? CredentialSource.defaultUsername
        try AccountName.validate(user, setting: username != nil ? "--username" : "OBM_USERNAME_DEFAULT")
        let kubernetes = try KubernetesClient(configuration: KubernetesConfiguration.resolve(environment: environment))
        let name: String
        switch source {
        case .secret:
            name = try ExistingCredentialSecret(client: kubernetes).name(for: hostname)
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
            name = "obm-creds-" + pod.uid
            try OwnedSecret(
                name: name, data: [("username", user), ("password", password)], owner: secretOwner,
                labels: [("app.kubernetes.io/managed-by", "get-obm-creds")]
            ).publish(with: kubernetes)
        }
        try runtime.emit("secret", name, environment: environment)
    }
}

extension SecretOwner.Kind: ExpressibleByArgument {}
