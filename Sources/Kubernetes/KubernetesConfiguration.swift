import FoundationEssentials
import HTTPClient
import JSON
import StepRuntime

/// Where the Kubernetes API is, how to trust it and who to be: from the pod's service account
/// (in-cluster) or from a kubeconfig (a person running a step by hand, the local runner).
public struct KubernetesConfiguration: Sendable {
    /// How a request proves who it is.
    public enum Credentials: Sendable, Equatable {
        /// A token file read anew for every request: projected service-account tokens rotate.
        case tokenFile(String)
        case token(String)
        /// The client certificate in `tls` does it.
        case clientCertificate
        case none
    }

    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public var server: String
    public var tls: TLSOptions
    public var credentials: Credentials
    public var namespace: String
    /// Where this came from, for messages: "in-cluster" or "kubeconfig PATH (context NAME)".
    public var source: String

    public init(server: String, tls: TLSOptions, credentials: Credentials, namespace: String, source: String) {
        self.server = server
        self.tls = tls
        self.credentials = credentials
        self.namespace = namespace
        self.source = source
    }

    /// KUBECONFIG when set; else the in-cluster service account when KUBERNETES_SERVICE_HOST is
    /// set; else ~/.kube/config. `POD_NAMESPACE` overrides the namespace either way.
    public static func resolve(environment: [String: String]) throws(KubernetesError) -> KubernetesConfiguration {
        var configuration: KubernetesConfiguration
        if let kubeconfig = environment["KUBECONFIG"], !kubeconfig.isEmpty {
            configuration = try fromKubeconfig(paths: kubeconfig)
        } else if let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty {
            configuration = try inCluster(environment: environment)
            _ = host
        } else if let home = environment["HOME"], LocalFile.exists(home + "/.kube/config") {
            configuration = try fromKubeconfig(paths: home + "/.kube/config")
        } else {
            throw .configuration(
                "no Kubernetes configuration: not in a pod (KUBERNETES_SERVICE_HOST unset) and no KUBECONFIG or ~/.kube/config"
            )
        }
        if let namespace = environment["POD_NAMESPACE"], !namespace.isEmpty { configuration.namespace = namespace }
        guard KubernetesNames.isValidLabel(configuration.namespace) else {
            throw .configuration("namespace \"\(configuration.namespace)\" is not a valid Kubernetes namespace name")
        }
        return configuration
    }

    /// The pod's own service account: KUBERNETES_SERVICE_HOST/PORT, and the token, ca.crt and
    /// namespace files (KUBERNETES_SERVICE_ACCOUNT_DIR, else the standard mount).
    public static func inCluster(environment: [String: String]) throws(KubernetesError) -> KubernetesConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw .configuration("KUBERNETES_SERVICE_HOST is not set")
        }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw .configuration("KUBERNETES_SERVICE_PORT \"\(port)\" is not a port")
        }
        let directory = environment["KUBERNETES_SERVICE_ACCOUNT_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultServiceAccountDirectory
        let tokenFile = directory + "/token"
        let caFile = directory + "/ca.crt"
        guard LocalFile.exists(tokenFile) else {
            throw .configuration("in-cluster: no service-account token at \(tokenFile) (automountServiceAccountToken off?)")
        }
        guard LocalFile.exists(caFile) else { throw .configuration("in-cluster: no CA certificate at \(caFile)") }
        let namespace = LocalFile.readText(directory + "/namespace").map { $0.trimmedWhitespace } ?? "default"
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubernetesConfiguration(
            server: "https://\(hostPart):\(portNumber)",
            tls: TLSOptions(caFile: caFile),
            credentials: .tokenFile(tokenFile),
            namespace: namespace.isEmpty ? "default" : namespace,
            source: "in-cluster"
        )
    }

    /// The current context of a kubeconfig. `paths` may list several files (`a:b`); the first
    /// that exists is used (kubectl merges them; these steps do not).
    public static func fromKubeconfig(paths: String) throws(KubernetesError) -> KubernetesConfiguration {
        let candidates = paths.split(separator: ":").map(String.init)
        guard let path = candidates.first(where: LocalFile.exists) else {
            throw .configuration("KUBECONFIG \(paths): no such file")
        }
        guard let text = LocalFile.readText(path) else { throw .configuration("kubeconfig \(path) cannot be read") }
        let document: JSONValue
        do {
            document = try KubeconfigYAML.parse(text)
        } catch {
            throw .configuration("kubeconfig \(path) is not valid: \(error)")
        }
        let folder = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : "."
        func resolvePath(_ file: String) -> String { file.hasPrefix("/") ? file : folder + "/" + file }
        func named(_ list: String, _ name: String) -> JSONValue? {
            document[list]?.arrayValue?.first { $0["name"]?.stringValue == name }?[String(list.dropLast())]
        }

        guard let contextName = document["current-context"]?.stringValue, !contextName.isEmpty else {
            throw .configuration("kubeconfig \(path) has no current-context")
        }
        guard let context = named("contexts", contextName) else {
            throw .configuration("kubeconfig \(path): context \"\(contextName)\" is not defined")
        }
        let clusterName = context["cluster"]?.stringValue ?? ""
        let userName = context["user"]?.stringValue ?? ""
        guard let cluster = named("clusters", clusterName), let server = cluster["server"]?.stringValue else {
            throw .configuration("kubeconfig \(path): cluster \"\(clusterName)\" is not defined or has no server")
        }
        guard URLText.scheme(server) == "https" else {
            throw .configuration(
                "kubeconfig \(path): server \(URLText.printable(server)) is not https; these steps only talk TLS to Kubernetes")
        }
        if cluster["insecure-skip-tls-verify"]?.boolValue == true {
            throw .configuration(
                "kubeconfig \(path): insecure-skip-tls-verify is set; these steps always verify the API server's certificate")
        }
        var tls = TLSOptions()
        if let data = cluster["certificate-authority-data"]?.stringValue {
            guard let pem = Data(base64Encoded: data.trimmedWhitespace) else {
                throw .configuration("kubeconfig \(path): certificate-authority-data is not base64")
            }
            tls.caPEM = Array(pem)
        } else if let file = cluster["certificate-authority"]?.stringValue {
            tls.caFile = resolvePath(file)
        }

        let user = named("users", userName) ?? .object([])
        if user["exec"] != nil || user["auth-provider"] != nil {
            throw .configuration(
                "kubeconfig \(path): user \"\(userName)\" uses an exec or auth-provider plugin, which these steps do not run; use a token or client certificate"
            )
        }
        var credentials = Credentials.none
        if let token = user["token"]?.stringValue, !token.isEmpty {
            SecretRedaction.register(token)
            credentials = .token(token)
        } else if let tokenFile = user["tokenFile"]?.stringValue, !tokenFile.isEmpty {
            credentials = .tokenFile(resolvePath(tokenFile))
        } else {
            let certificate = try pemField(user, "client-certificate", path: path, resolve: resolvePath)
            let key = try pemField(user, "client-key", path: path, resolve: resolvePath)
            if let certificate, let key {
                tls.clientCertificatePEM = certificate
                tls.clientKeyPEM = key
                credentials = .clientCertificate
            }
        }
        let namespace = context["namespace"]?.stringValue ?? "default"
        var trimmedServer = server
        while trimmedServer.hasSuffix("/") { trimmedServer.removeLast() }
        return KubernetesConfiguration(
            server: trimmedServer,
            tls: tls,
            credentials: credentials,
            namespace: namespace,
            source: "kubeconfig \(path) (context \(contextName))"
        )
    }

    static func pemField(_ user: JSONValue, _ field: String, path: String, resolve: (String) -> String) throws(KubernetesError) -> [UInt8]?
    {
        if let data = user[field + "-data"]?.stringValue {
            guard let decoded = Data(base64Encoded: data.trimmedWhitespace) else {
                throw .configuration("kubeconfig \(path): \(field)-data is not base64")
            }
            return Array(decoded)
        }
        if let file = user[field]?.stringValue {
            guard let bytes = LocalFile.read(resolve(file)) else {
                throw .configuration("kubeconfig \(path): \(field) \(file) cannot be read")
            }
            return bytes
        }
        return nil
    }
}

/// Kubernetes object-name rules.
public enum KubernetesNames {
    /// RFC 1123 label: namespaces, 63 characters at most.
    public static func isValidLabel(_ name: String) -> Bool {
        name.count <= 63 && isValidSubdomainPart(name)
    }

    /// RFC 1123 subdomain: Secret and most object names, 253 characters at most.
    public static func isValidSubdomain(_ name: String) -> Bool {
        name.count <= 253
            && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
                isValidSubdomainPart(String($0)) && $0.count <= 63
            }
    }

    static func isValidSubdomainPart(_ part: String) -> Bool {
        guard let first = part.first, let last = part.last else { return false }
        let allowed = part.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        return allowed && first != "-" && last != "-"
    }
}
