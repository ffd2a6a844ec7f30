import Credentials
import Foundation
import JSON
import StepTesting
import Testing

@testable import Kubernetes

@Suite struct KubernetesClientTests {
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
    }

    @Test func unsafeOrUnsupportedKubeconfigsAreRefused() throws {
        let cases = [
            "clusters:\n- name: c\n  cluster:\n    server: https://x\n    insecure-skip-tls-verify: true\ncontexts:\n- name: c\n  context: {\"cluster\": \"c\", \"user\": \"u\"}\ncurrent-context: c\n",
            "clusters:\n- name: c\n  cluster:\n    server: http://x\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n",
            "clusters:\n- name: c\n  cluster:\n    server: https://x\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    exec:\n      command: aws\n",
            "current-context: missing\n",
        ]
        for text in cases {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID())").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: KubernetesError.self, "\(text)") { try KubernetesConfiguration.resolve(environment: ["KUBECONFIG": path]) }
        }
    }

    @Test func yamlSubsetParsesKubeconfigShapes() throws {
        let text = """
            # comment
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: QUJD   # trailing comment
                server: "https://127.0.0.1:6443"
              name: 'it''s'
            contexts: []
            preferences: {}
            block: |
              line one
              line two
            flag: true
            """
        let value = try KubeconfigYAML.parse(text)
        #expect(value["apiVersion"]?.stringValue == "v1")
        #expect(value["clusters"]?.arrayValue?.first?["cluster"]?["server"]?.stringValue == "https://127.0.0.1:6443")
        #expect(value["clusters"]?.arrayValue?.first?["cluster"]?["certificate-authority-data"]?.stringValue == "QUJD")
        #expect(value["clusters"]?.arrayValue?.first?["name"]?.stringValue == "it's")
        #expect(value["contexts"]?.arrayValue?.isEmpty == true)
        #expect(value["block"]?.stringValue == "line one\nline two\n")
        #expect(value["flag"]?.boolValue == true)
        #expect(throws: KubeconfigYAML.SyntaxError.self) { try KubeconfigYAML.parse("a: &anchor x\n") }
    }

    @Test func secretNamesFollowKubernetesRules() {
        #expect(KubernetesNames.isValidSubdomain("obm-creds-host1.domain.local"))
        #expect(!KubernetesNames.isValidSubdomain("obm-creds-a b&c"))
        #expect(!KubernetesNames.isValidSubdomain("Obm"))
        #expect(!KubernetesNames.isValidSubdomain("-x"))
        #expect(KubernetesNames.isValidLabel("argo-events"))
    }
}

@Suite struct StandardPasswordTests {
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
