import FoundationEssentials
import HTTP
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

    /// Whether any Kubernetes configuration is there to resolve: KUBECONFIG, the in-cluster
    /// variables, or ~/.kube/config. A step run by hand on a workstation may have none.
    public static func isPresent(environment: [String: String]) -> Bool {
        if environment.setting("KUBECONFIG") != nil || environment.setting("KUBERNETES_SERVICE_HOST") != nil { return true }
        return environment["HOME"].map { LocalFile.exists($0 + "/.kube/config") } ?? false
    }

    /// KUBECONFIG when set; else the in-cluster service account when KUBERNETES_SERVICE_HOST is
    /// set; else ~/.kube/config. `POD_NAMESPACE` overrides the namespace either way.
    public static func resolve(environment: [String: String]) throws(KubernetesError) -> KubernetesConfiguration {
        var configuration: KubernetesConfiguration
        if let kubeconfig = environment.setting("KUBECONFIG") {
            configuration = try fromKubeconfig(paths: kubeconfig)
        } else if let host = environment.setting("KUBERNETES_SERVICE_HOST") {
            configuration = try inCluster(environment: environment)
            _ = host
        } else if let home = environment["HOME"], LocalFile.exists(home + "/.kube/config") {
            configuration = try fromKubeconfig(paths: home + "/.kube/config")
        } else {
            throw .configuration(
                "no Kubernetes configuration: not in a pod (KUBERNETES_SERVICE_HOST unset) and no KUBECONFIG or ~/.kube/config"
            )
        }
        if let namespace = environment.setting("POD_NAMESPACE") { configuration.namespace = namespace }
        guard KubernetesNames.isValidLabel(configuration.namespace) else {
            throw .configuration("namespace \"\(configuration.namespace)\" is not a valid Kubernetes namespace name")
        }
        return configuration
    }

    /// The pod's own service account: KUBERNETES_SERVICE_HOST/PORT, and the token, ca.crt and
    /// namespace files (KUBERNETES_SERVICE_ACCOUNT_DIR, else the standard mount).
    public static func inCluster(environment: [String: String]) throws(KubernetesError) -> KubernetesConfiguration {
        guard let host = environment.setting("KUBERNETES_SERVICE_HOST") else {
            throw .configuration("KUBERNETES_SERVICE_HOST is not set")
        }
        let port = environment.setting("KUBERNETES_SERVICE_PORT") ?? "443"
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw .configuration("KUBERNETES_SERVICE_PORT \"\(port)\" is not a port")
        }
        let directory = environment.setting("KUBERNETES_SERVICE_ACCOUNT_DIR") ?? defaultServiceAccountDirectory
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

    /// The current context of the kubeconfig files in `paths` (`a:b`), merged as kubectl merges
    /// them: files that do not exist are skipped, the first file to set `current-context` or to
    /// define a name wins, and relative file names are relative to the file that holds them.
    public static func fromKubeconfig(paths: String) throws(KubernetesError) -> KubernetesConfiguration {
        let files = paths.split(separator: ":").map(String.init).filter(LocalFile.exists)
        guard !files.isEmpty else { throw .configuration("KUBECONFIG \(paths): no such file") }
        var loaded: [(path: String, config: Kubeconfig)] = []
        for path in files {
            guard let text = LocalFile.readText(path) else { throw .configuration("kubeconfig \(path) cannot be read") }
            do {
                loaded.append((path, try Kubeconfig.parse(text)))
            } catch {
                throw .configuration("kubeconfig \(path) is not valid: \(error)")
            }
        }
        let shown = files.joined(separator: ":")
        /// The first definition of `name`, with the file it is in and the field path for messages.
        func lookup<Entry>(_ list: KeyPath<Kubeconfig, [Kubeconfig.Named<Entry>]?>, _ listName: String, _ entryName: String, _ name: String)
            -> (file: String, field: String, entry: Entry?)?
        {
            for (path, config) in loaded {
                if let index = config[keyPath: list]?.firstIndex(where: { $0.name == name }) {
                    return (path, "\(listName)[\(index)].\(entryName)", config[keyPath: list]?[index].entry)
                }
            }
            return nil
        }

        guard let contextName = loaded.lazy.compactMap({ $0.config.currentContext }).first(where: { !$0.isEmpty }) else {
            throw .configuration("kubeconfig \(shown) has no current-context")
        }
        guard let (contextFile, contextField, contextEntry) = lookup(\.contexts, "contexts", "context", contextName) else {
            throw .configuration("kubeconfig \(shown): context \"\(contextName)\" is not defined")
        }
        guard let context = contextEntry, let clusterName = context.cluster, !clusterName.isEmpty else {
            throw .configuration("kubeconfig \(contextFile): \(contextField).cluster is missing (context \"\(contextName)\")")
        }
        guard let (clusterFile, clusterField, clusterEntry) = lookup(\.clusters, "clusters", "cluster", clusterName) else {
            throw .configuration("kubeconfig \(shown): cluster \"\(clusterName)\" is not defined")
        }
        guard let cluster = clusterEntry, let server = cluster.server, !server.isEmpty else {
            throw .configuration("kubeconfig \(clusterFile): \(clusterField).server is missing (cluster \"\(clusterName)\")")
        }
        func refuse(_ file: String, _ field: String, _ why: String) -> KubernetesError {
            .configuration("kubeconfig \(file): \(field) is set; \(why)")
        }
        guard URLText.scheme(server) == "https" else {
            throw .configuration(
                "kubeconfig \(clusterFile): server \(URLText.printable(server)) is not https; these steps only talk TLS to Kubernetes")
        }
        if cluster.insecureSkipTLSVerify == true {
            throw refuse(clusterFile, clusterField + ".insecure-skip-tls-verify", "these steps always verify the API server's certificate")
        }
        if cluster.tlsServerName?.isEmpty == false {
            throw refuse(clusterFile, clusterField + ".tls-server-name", "these steps check the certificate against the server's own name")
        }
        if cluster.proxyURL?.isEmpty == false {
            throw refuse(clusterFile, clusterField + ".proxy-url", "use https_proxy and no_proxy in the environment instead")
        }
        func folder(_ file: String) -> String { file.contains("/") ? String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)]) : "." }
        var tls = TLSOptions()
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            guard let pem = Data(base64Encoded: data.trimmedWhitespace) else {
                throw .configuration("kubeconfig \(clusterFile): \(clusterField).certificate-authority-data is not base64")
            }
            tls.caPEM = Array(pem)
        } else if let file = cluster.certificateAuthority, !file.isEmpty {
            tls.caFile = file.hasPrefix("/") ? file : folder(clusterFile) + "/" + file
        }

        var credentials = Credentials.none
        let userName = context.user ?? ""
        if !userName.isEmpty, let (userFile, userField, userEntry) = lookup(\.users, "users", "user", userName), let user = userEntry {
            if user.exec != nil || user.authProvider != nil {
                throw .configuration(
                    "kubeconfig \(userFile): user \"\(userName)\" uses an exec or auth-provider plugin (\(userField).\(user.exec != nil ? "exec" : "auth-provider")), which these steps do not run; use a token or client certificate"
                )
            }
            if user.impersonate?.isEmpty == false {
                throw refuse(userFile, userField + ".as", "these steps act as the user itself, never impersonate another")
            }
            if user.username?.isEmpty == false || user.password?.isEmpty == false {
                throw refuse(
                    userFile, userField + ".username/password", "basic authentication is not supported; use a token or client certificate")
            }
            func resolve(_ file: String) -> String { file.hasPrefix("/") ? file : folder(userFile) + "/" + file }
            if let token = user.token, !token.isEmpty {
                SecretRedaction.register(token)
                credentials = .token(token)
            } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
                credentials = .tokenFile(resolve(tokenFile))
            } else {
                let label = "kubeconfig \(userFile): \(userField)."
                let certificate = try pemField(
                    data: user.clientCertificateData, file: user.clientCertificate, label + "client-certificate", resolve)
                let key = try pemField(data: user.clientKeyData, file: user.clientKey, label + "client-key", resolve)
                if let certificate, let key {
                    tls.clientCertificatePEM = certificate
                    tls.clientKeyPEM = key
                    credentials = .clientCertificate
                }
            }
        }
        let namespace = context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        var trimmedServer = server
        while trimmedServer.hasSuffix("/") { trimmedServer.removeLast() }
        return KubernetesConfiguration(
            server: trimmedServer,
            tls: tls,
            credentials: credentials,
            namespace: namespace,
            source: "kubeconfig \(contextFile) (context \(contextName))"
        )
    }

    /// A PEM given inline (`*-data`, base64) or as a file name.
    static func pemField(data: String?, file: String?, _ label: String, _ resolve: (String) -> String) throws(KubernetesError) -> [UInt8]? {
        if let data, !data.isEmpty {
            guard let decoded = Data(base64Encoded: data.trimmedWhitespace) else {
                throw .configuration("\(label)-data is not base64")
            }
            return Array(decoded)
        }
        if let file, !file.isEmpty {
            guard let bytes = LocalFile.read(resolve(file)) else {
                throw .configuration("\(label) \(file) cannot be read")
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
