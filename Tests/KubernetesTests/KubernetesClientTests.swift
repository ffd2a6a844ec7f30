import Credentials
import Foundation
import JSON
import StepTesting
import Testing

@testable import Kubernetes

@Suite(.stopsSimulators) struct KubernetesClientTests {
    @Test func aRotatedTokenFileIsReadOnEveryRequest() async throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-creds": ["username": "root", "password": "x"]])
        let env = try kubernetes.inClusterEnvironment()
        let tokenFile = (env["KUBERNETES_SERVICE_ACCOUNT_DIR"] ?? "") + "/token"
        let found = try await offThread {
            let client = try KubernetesClient(configuration: KubernetesConfiguration.resolve(environment: env))
            let before = try client.secret(named: "obm-creds") != nil
            try "rotated0token0value".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try kubernetes.control("/_simulator/tokens", body: #"{"tokens": ["rotated0token0value"]}"#)
            let after = try client.secret(named: "obm-creds") != nil
            return (before, after)
        }
        #expect(found.0 && found.1)
    }

    @Test func kubeconfigWrittenByKubectlIsRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/config"
        let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        try caPEM.write(toFile: folder + "/ca.pem", atomically: true, encoding: .utf8)
        let env = ["KUBECONFIG": path, "PATH": "/usr/bin:/bin", "HOME": folder]
        for arguments in [
            [
                "config", "set-cluster", "lab", "--server=https://10.1.2.3:6443", "--certificate-authority=\(folder)/ca.pem",
                "--embed-certs=true",
            ],
            ["config", "set-credentials", "step", "--token=abc.def-123"],
            ["config", "set-context", "lab", "--cluster=lab", "--user=step", "--namespace=argo-events"],
            ["config", "set-context", "other", "--cluster=none", "--user=none"],
            ["config", "use-context", "lab"],
        ] {
            let result = try runProcess("/usr/bin/kubectl", arguments, environment: env)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let configuration = try KubernetesConfiguration.resolve(environment: ["KUBECONFIG": path])
        #expect(configuration.server == "https://10.1.2.3:6443")
        #expect(configuration.namespace == "argo-events")
        #expect(configuration.credentials == .token("abc.def-123"))
        #expect(configuration.tls.caPEM == Array(caPEM.utf8))
        let overridden = try KubernetesConfiguration.resolve(environment: ["KUBECONFIG": path, "POD_NAMESPACE": "metal"])
        #expect(overridden.namespace == "metal")
        // What `kubectl config view --flatten --minify` hands to someone else reads the same.
        let flattened = try runProcess("/usr/bin/kubectl", ["config", "view", "--flatten", "--minify", "--raw"], environment: env)
        #expect(flattened.status == 0, "\(flattened.stderr)")
        try flattened.stdout.write(toFile: folder + "/flat", atomically: true, encoding: .utf8)
        let flat = try KubernetesConfiguration.resolve(environment: ["KUBECONFIG": folder + "/flat"])
        #expect(flat.server == configuration.server && flat.credentials == configuration.credentials)
        #expect(flat.tls.caPEM == configuration.tls.caPEM && flat.namespace == "argo-events")
    }

    @Test func unsafeOrUnsupportedKubeconfigsAreRefusedNamingTheField() throws {
        let context = "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n"
        func cluster(_ extra: String, server: String = "https://x") -> String {
            "clusters:\n- name: c\n  cluster:\n    server: \(server)\n\(extra)" + context
        }
        let cases: [(String, String)] = [
            (
                cluster("    insecure-skip-tls-verify: true\n"),
                "clusters[0].cluster.insecure-skip-tls-verify is set; these steps always verify"
            ),
            (cluster("    tls-server-name: api.internal\n"), "clusters[0].cluster.tls-server-name is set"),
            (cluster("    proxy-url: http://proxy:3128\n"), "clusters[0].cluster.proxy-url is set; use https_proxy and no_proxy"),
            (cluster("", server: "http://x"), "server http://x is not https"),
            (
                cluster("") + "users:\n- name: u\n  user:\n    exec:\n      command: aws\n",
                "uses an exec or auth-provider plugin (users[0].user.exec)"
            ),
            (
                cluster("") + "users:\n- name: u\n  user: {token: t, as: admin}\n",
                "users[0].user.as is set; these steps act as the user itself"
            ),
            (cluster("") + "users:\n- name: u\n  user: {username: admin, password: pw}\n", "users[0].user.username/password is set"),
            (
                cluster("") + "users:\n- name: u\n  user: {client-certificate-data: '%%%'}\n",
                "users[0].user.client-certificate-data is not base64"
            ),
            ("clusters:\n- name: c\n  cluster: {}\n" + context, "clusters[0].cluster.server is missing (cluster \"c\")"),
            ("current-context: missing\n", "context \"missing\" is not defined"),
            ("clusters: []\n", "has no current-context"),
            ("- a\n- b\n", "is not valid: the top level is not a mapping"),
        ]
        for (text, expected) in cases {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID())").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try KubernetesConfiguration.resolve(environment: ["KUBECONFIG": path])
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.message.contains("\n"), "one line: \(error.message)")
            }
        }
    }

    static let fixtures = BuiltProducts.packageRoot + "/Tests/Fixtures/kubeconfig"

    @Test func kubeconfigsAsRealToolsWriteThemAreUsed() throws {
        func resolve(_ name: String) throws -> KubernetesConfiguration {
            try KubernetesConfiguration.resolve(environment: ["KUBECONFIG": Self.fixtures + "/" + name])
        }
        let ca = Array("-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n".utf8)
        // gcloud's exec user (its installHint folded over two lines) belongs to another context.
        let gke = try resolve("gke-gcloud.yaml")
        #expect(gke.server == "https://10.20.0.2")
        #expect(gke.credentials == .token("gke.token-0123456789"))
        #expect(gke.namespace == "argo-events")
        #expect(gke.tls.caPEM == ca)
        let eks = try resolve("eks-token-file.yaml")
        #expect(eks.server == "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com")
        #expect(eks.credentials == .tokenFile(Self.fixtures + "/tokens/steps.token"))
        #expect(eks.namespace == "argo-events")
        for (name, server) in [("kind.yaml", "https://127.0.0.1:39979"), ("k3s.yaml", "https://127.0.0.1:6443")] {
            let configuration = try resolve(name)
            #expect(configuration.server == server)
            #expect(configuration.credentials == .clientCertificate)
            #expect(
                configuration.tls.clientCertificatePEM == Array("-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n".utf8)
            )
            #expect(
                configuration.tls.clientKeyPEM == Array("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIkey\n-----END EC PRIVATE KEY-----\n".utf8)
            )
            #expect(configuration.namespace == "default")
        }
        let edited = try resolve("hand-edited.yaml")
        #expect(edited.server == "https://lab.example.internal:6443/k8s")
        #expect(edited.credentials == .token("hand.edited-token"))
        #expect(edited.namespace == "argo-events")
        #expect(edited.source == "kubeconfig \(Self.fixtures)/hand-edited.yaml (context it's-me)")
    }

    @Test func severalKubeconfigFilesMergeAsKubectlMergesThem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "current-context: metal\ncontexts:\n- name: metal\n  context: {cluster: metal, user: steps}\n"
            .write(toFile: folder + "/a", atomically: true, encoding: .utf8)
        try
            "current-context: other\nclusters:\n- name: metal\n  cluster: {server: 'https://10.9.8.7'}\nusers:\n- name: steps\n  user: {tokenFile: t}\n"
            .write(toFile: folder + "/b", atomically: true, encoding: .utf8)
        let merged = try KubernetesConfiguration.resolve(environment: ["KUBECONFIG": "\(folder)/missing:\(folder)/a:\(folder)/b"])
        #expect(merged.server == "https://10.9.8.7")
        #expect(merged.credentials == .tokenFile(folder + "/t"))
    }

    @Test func aFieldOfTheWrongTypeIsNamedByItsPath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID())").path
        try
            "current-context: c\nclusters:\n- name: c\n  cluster: {server: https://x}\n- name: d\n  cluster:\n    server: [not, a, string]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try KubernetesConfiguration.resolve(environment: ["KUBECONFIG": path])
            Issue.record("a list as a server was accepted")
        } catch {
            #expect(error == .configuration("kubeconfig \(path) is not valid: clusters[1].cluster.server is not a string"))
        }
    }

    @Test func secretNamesFollowKubernetesRules() {
        #expect(KubernetesNames.isValidSubdomain("obm-creds-host1.domain.local"))
        #expect(!KubernetesNames.isValidSubdomain("obm-creds-a b&c"))
        #expect(!KubernetesNames.isValidSubdomain("Obm"))
        #expect(!KubernetesNames.isValidSubdomain("-x"))
        #expect(KubernetesNames.isValidLabel("argo-events"))
    }
}

@Suite(.stopsSimulators) struct StandardPasswordTests {
    @Test(arguments: [
        ("master-key", "10.0.0.11"), ("another key with spaces", "192.168.254.1"), ("kéy-ünïcode", "2001:db8::15"),
        ("k", "::1"), (String(repeating: "long", count: 64), "fe80::1:2:3:4"),
    ])
    func matchesPythonHashlib(key: String, ip: String) throws {
        let ours = try #require(StandardPassword.derive(masterKey: key, ip: ip))
        #expect(ours == (try pythonStandardPassword(masterKey: key, ip: ip)))
        #expect(ours.count == 20)
    }
}
