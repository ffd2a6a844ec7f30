import Foundation
import JSON
import StepTesting
import Testing

/// `get-obm-creds` driven as a process against the Kubernetes simulator (and the Nautobot one),
/// with every Secret read back through the installed kubectl.
@Suite(.stopsSimulators) struct GetOBMCredsTests {
    static let masterKey = "master0key0for0tests"

    func standardEnvironment(_ kubernetes: SimulatedKubernetes, _ extra: [String: String] = [:]) -> [String: String] {
        kubernetes.stepEnvironment.merging(["OBM_CREDS_SOURCE": "standard", "LOG_LEVEL": "debug"]) { $1 }.merging(extra) { $1 }
    }

    @Test func standardSourceMakesAPodOwnedSecret() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-master": ["key": Self.masterKey]])
        let run = try runStep(
            "get-obm-creds", ["--hostname", "host1.domain.local", "--ip", "10.0.0.11"], environment: standardEnvironment(kubernetes))
        let name = "obm-creds-\(SimulatedKubernetes.podUID)"
        #expect(run.status == 0, "\(run)")
        #expect(run.output("secret") == name)
        #expect(run.stdout == name + "\n")

        let secret = try #require(try kubernetes.secret(name))
        #expect(secret["type"]?.stringValue == "Opaque")
        let expected = try pythonStandardPassword(masterKey: Self.masterKey, ip: "10.0.0.11")
        #expect(expected.count == 20)
        #expect(try kubernetes.secretData(name) == ["username": "root", "password": expected])
        let owners = secret["metadata"]?["ownerReferences"]
        #expect(
            owners == [
                [
                    "apiVersion": "v1", "kind": "Pod", "name": .string(SimulatedKubernetes.podName),
                    "uid": .string(SimulatedKubernetes.podUID),
                ]
            ])
        #expect(!run.everything.contains(expected), "the password never appears in stdout, stderr or outputs")
        #expect(!run.everything.contains(Self.masterKey))
        #expect(!run.everything.contains(kubernetes.token))
    }

    @Test func aRetriedStepSucceedsAndLeavesOneSecret() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-master": ["key": Self.masterKey]])
        let arguments = ["--hostname", "host1.domain.local", "--ip", "10.0.0.11", "--username", "admin"]
        let first = try runStep("get-obm-creds", arguments, environment: standardEnvironment(kubernetes))
        let second = try runStep("get-obm-creds", arguments, environment: standardEnvironment(kubernetes))
        #expect(first.status == 0 && second.status == 0, "\(first)\n\(second)")
        #expect(first.output("secret") == second.output("secret"))
        let list = try JSONValue(parsing: try kubernetes.kubectl(["get", "secrets", "-o", "json"]).stdout)
        let names = list["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
        #expect(names.sorted() == ["obm-creds-\(SimulatedKubernetes.podUID)", "obm-master"])
        #expect(try kubernetes.secretData("obm-creds-\(SimulatedKubernetes.podUID)")["username"] == "admin")
        #expect(try kubernetes.requestLog().filter { $0.hasPrefix("patch") }.count == 1, "the second run patched the existing Secret")
    }

    @Test func podUIDIsReadFromTheAPIWhenNotGiven() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-master": ["key": Self.masterKey]])
        var env = standardEnvironment(kubernetes)
        env["KUBERNETES_POD_UID"] = nil
        let run = try runStep("get-obm-creds", ["--hostname", "h", "--ip", "10.0.0.11"], environment: env)
        #expect(run.status == 0, "\(run)")
        #expect(run.output("secret") == "obm-creds-\(SimulatedKubernetes.podUID)")
        #expect(try kubernetes.requestLog().contains("get pods/\(SimulatedKubernetes.podName)"))
    }

    @Test func aDeniedPodReadNamesTheMissingRBACRule() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-master": ["key": Self.masterKey]], deny: ["get:pods"])
        var env = standardEnvironment(kubernetes)
        env["KUBERNETES_POD_UID"] = nil
        let run = try runStep("get-obm-creds", ["--hostname", "h", "--ip", "10.0.0.11"], environment: env)
        #expect(run.status == 1)
        #expect(
            run.stderrLines.last
                == "get-obm-creds: Kubernetes RBAC refused to get pods \"\(SimulatedKubernetes.podName)\" in namespace argo-events (403); the ServiceAccount needs a Role rule allowing verb \"get\" on resource \"pods\"",
            "\(run)")
        let denied = try SimulatedKubernetes.start(secrets: ["obm-master": ["key": Self.masterKey]], deny: ["create:secrets"])
        let create = try runStep("get-obm-creds", ["--hostname", "h", "--ip", "10.0.0.11"], environment: standardEnvironment(denied))
        #expect(create.status == 1)
        #expect(create.stderr.contains("RBAC refused to create secrets \"obm-creds-"), "\(create)")
    }

    @Test func workflowOwnerAndPersist() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-master": ["key": Self.masterKey]])
        let name = "obm-creds-\(SimulatedKubernetes.podUID)"
        let workflowUID = "7f000000-0000-4000-8000-000000000001"
        let env = standardEnvironment(kubernetes, ["WORKFLOW_NAME": "obm-sync-creds-x7k2p", "WORKFLOW_UID": workflowUID])
        let run = try runStep("get-obm-creds", ["--hostname", "h", "--ip", "10.0.0.11", "--owner", "workflow"], environment: env)
        #expect(run.status == 0, "\(run)")
        #expect(
            try kubernetes.secret(name)?["metadata"]?["ownerReferences"]
                == [
                    ["apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "name": "obm-sync-creds-x7k2p", "uid": .string(workflowUID)]
                ])
        let persisted = try runStep("get-obm-creds", ["--hostname", "h", "--ip", "10.0.0.11", "--persist"], environment: env)
        #expect(persisted.status == 0, "\(persisted)")
        #expect(try kubernetes.secret(name)?["metadata"]?["ownerReferences"] == nil, "--persist drops the owner")
        let missing = try runStep(
            "get-obm-creds", ["--hostname", "h", "--ip", "10.0.0.11", "--owner", "workflow"], environment: standardEnvironment(kubernetes))
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("WORKFLOW_NAME and WORKFLOW_UID"))
    }

    @Test func standardLooksTheAddressUpInNautobot() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-master": ["key": Self.masterKey]])
        let nautobot = try SimulatedNautobot.shared()
        let run = try runStep(
            "get-obm-creds", ["--hostname", "host5.domain.local"], environment: standardEnvironment(kubernetes, nautobot.environment))
        #expect(run.status == 0, "\(run)")
        let expected = try pythonStandardPassword(masterKey: Self.masterKey, ip: "10.0.0.15")
        #expect(try kubernetes.secretData("obm-creds-\(SimulatedKubernetes.podUID)")["password"] == expected)
        #expect(!run.everything.contains(expected) && !run.everything.contains(nautobot.token))
    }

    @Test func inClusterServiceAccountWorksAndAWrongCAFailsClosed() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-master": ["key": Self.masterKey]])
        var env = try kubernetes.inClusterEnvironment().merging(["OBM_CREDS_SOURCE": "standard"]) { $1 }
        let run = try runStep("get-obm-creds", ["--hostname", "h", "--ip", "2001:db8::15"], environment: env)
        #expect(run.status == 0, "\(run)")
        let expected = try pythonStandardPassword(masterKey: Self.masterKey, ip: "2001:db8::15")
        #expect(try kubernetes.secretData("obm-creds-\(SimulatedKubernetes.podUID)")["password"] == expected)

        let other = try SimulatedKubernetes.start()
        env = try kubernetes.inClusterEnvironment(caFile: other.caFile).merging(["OBM_CREDS_SOURCE": "standard"]) { $1 }
        let wrongCA = try runStep("get-obm-creds", ["--hostname", "h", "--ip", "10.0.0.11"], environment: env)
        #expect(wrongCA.status == 1)
        #expect(wrongCA.stderrLines.count == 1 && wrongCA.stderr.contains("failed verification"), "\(wrongCA)")

        env = try kubernetes.inClusterEnvironment(token: "not0the0token0at0all").merging(["OBM_CREDS_SOURCE": "standard"]) { $1 }
        let wrongToken = try runStep("get-obm-creds", ["--hostname", "h", "--ip", "10.0.0.11"], environment: env)
        #expect(wrongToken.status == 1)
        #expect(wrongToken.stderr.contains("did not accept the credentials to get secrets in namespace argo-events (401"), "\(wrongToken)")
        #expect(!wrongToken.everything.contains("not0the0token0at0all"))
    }

    @Test func secretSourceNamesTheExistingSecret() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: [
            "obm-creds-host1.domain.local": ["username": "root", "password": "calvin-one"],
            "obm-creds": ["username": "root", "password": "calvin-default"],
        ])
        let specific = try runStep("get-obm-creds", ["--hostname", "HOST1.domain.local"], environment: kubernetes.stepEnvironment)
        #expect(specific.status == 0, "\(specific)")
        #expect(specific.output("secret") == "obm-creds-host1.domain.local")
        let fallback = try runStep("get-obm-creds", ["--hostname", "a b&c"], environment: kubernetes.stepEnvironment)
        #expect(fallback.output("secret") == "obm-creds")
        #expect(!specific.everything.contains("calvin") && !fallback.everything.contains("calvin"))

        let empty = try SimulatedKubernetes.start()
        let none = try runStep("get-obm-creds", ["--hostname", "host9"], environment: empty.stepEnvironment)
        #expect(none.status == 1)
        #expect(
            none.stderrLines == [
                "get-obm-creds: no Secret obm-creds-host9 or obm-creds in namespace argo-events holds the credentials of \"host9\""
            ])
    }

    @Test func badInputIsExit64() throws {
        let kubernetes = try SimulatedKubernetes.start()
        let cases: [([String], [String: String], String)] = [
            (
                ["--hostname", "h", "--source", "vault"], kubernetes.stepEnvironment,
                "credential source \"vault\" is not one of: secret, standard"
            ),
            (
                ["--hostname", "h", "--source", "standard", "--ip", "10.0.0.300"], kubernetes.stepEnvironment,
                "--ip \"10.0.0.300\" is not an IPv4 or IPv6 address"
            ),
            (
                ["--hostname", "h", "--source", "standard", "--ip", "10.0.0.1"], kubernetes.stepEnvironment,
                "no Secret obm-master in namespace argo-events"
            ),
            (["--hostname", "h"], [:], "no Kubernetes configuration"),
            (["--hostname", "h", "--owner", "node"], kubernetes.stepEnvironment, "--owner"),
        ]
        for (arguments, env, text) in cases {
            let run = try runStep("get-obm-creds", arguments, environment: env)
            #expect(run.status == 64, "\(arguments): \(run)")
            #expect(run.stderrLines.count == 1 && run.stderr.contains(text), "\(arguments): \(run)")
        }
    }
}

/// The simulator speaks the API server's protocol: the real kubectl works against it and gets
/// what a cluster gives.
@Suite(.stopsSimulators) struct KubectlAgainstSimulatorTests {
    @Test func kubectlCreatesAndReadsSecrets() throws {
        let kubernetes = try SimulatedKubernetes.start()
        let created = try kubernetes.kubectl([
            "create", "secret", "generic", "obm-creds", "--from-literal=username=root", "--from-literal=password=calvin",
        ])
        #expect(created.status == 0, "\(created)")
        #expect(created.stdout == "secret/obm-creds created\n")
        let secret = try #require(try kubernetes.secret("obm-creds"))
        #expect(secret["kind"]?.stringValue == "Secret" && secret["type"]?.stringValue == "Opaque")
        #expect(secret["metadata"]?["namespace"]?.stringValue == "argo-events")
        #expect(secret["metadata"]?["uid"]?.stringValue?.count == 36)
        // An API server's resourceVersion: an opaque string, a positive decimal as etcd writes it.
        #expect((secret["metadata"]?["resourceVersion"]?.stringValue).flatMap { UInt64($0) }.map { $0 > 0 } == true)
        #expect(try kubernetes.secretData("obm-creds") == ["username": "root", "password": "calvin"])
        let jsonpath = try kubernetes.kubectl(["get", "secret", "obm-creds", "-o", "jsonpath={.data.username}"])
        #expect(jsonpath.stdout == "cm9vdA==")
    }

    @Test func kubectlPrintsTheServersRefusalsAsForACluster() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-creds": ["username": "root", "password": "x"]])
        let exists = try kubernetes.kubectl(["create", "secret", "generic", "obm-creds", "--from-literal=a=b"])
        #expect(exists.status == 1)
        #expect(exists.stderr == "error: failed to create secret secrets \"obm-creds\" already exists\n")
        let missing = try kubernetes.kubectl(["get", "secret", "nope"])
        #expect(missing.stderr == "Error from server (NotFound): secrets \"nope\" not found\n")
        let invalid = try kubernetes.kubectl(["create", "secret", "generic", "Bad_Name", "--from-literal=a=b"])
        #expect(
            invalid.stderr.hasPrefix(
                "error: failed to create secret Secret \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"
            ))
        let denied = try SimulatedKubernetes.start(deny: ["get:secrets"])
        let forbidden = try denied.kubectl(["get", "secret", "obm-creds"])
        #expect(
            forbidden.stderr
                == "Error from server (Forbidden): secrets \"obm-creds\" is forbidden: User \"system:serviceaccount:argo-events:workflow\" cannot get resource \"secrets\" in API group \"\" in the namespace \"argo-events\"\n"
        )
        try kubernetes.control("/_simulator/tokens", body: #"{"tokens": ["other"]}"#)
        let unauthorized = try kubernetes.kubectl(["get", "secret", "obm-creds"])
        #expect(unauthorized.stderr.contains("You must be logged in to the server (Unauthorized)"), "\(unauthorized)")
    }
}
