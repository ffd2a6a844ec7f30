import Foundation
import JSON

/// A Kubernetes API simulator started for one test, with a kubeconfig and a service-account
/// folder pointing at it, and helpers to read what the steps left there.
public struct SimulatedKubernetes: Sendable {
    public static let namespace = "argo-events"
    public static let podName = "get-obm-creds-pod-1"
    public static let podUID = "0a1b2c3d-0000-4000-8000-00000000abcd"

    public var url: String
    public var caFile: String
    public var token: String
    public var kubeconfig: String
    public var folder: String

    /// Starts one with a Pod for the step, and the given Secrets (name → string data).
    public static func start(
        secrets: [String: [String: String]] = [:], configMaps: [String: [String: String]] = [:], deny: [String] = [],
        objects extra: [JSONValue] = []
    ) throws -> SimulatedKubernetes {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kubernetes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var objects: [JSONValue] = [
            [
                "apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": .string(podName), "namespace": .string(namespace), "uid": .string(podUID)],
            ]
        ]
        for (name, data) in secrets.sorted(by: { $0.key < $1.key }) {
            objects.append([
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "stringData": .object(data.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) }),
            ])
        }
        for (name, data) in configMaps.sorted(by: { $0.key < $1.key }) {
            objects.append([
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "data": .object(data.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) }),
            ])
        }
        objects += extra
        try JSONValue.array(objects).serialized.write(toFile: folder + "/objects.json", atomically: true, encoding: .utf8)
        let token = "k8s0token0" + UUID().uuidString.lowercased()
        var arguments = ["kubernetes", "--token", token, "--objects", folder + "/objects.json", "--kubeconfig-out", folder + "/kubeconfig"]
        for rule in deny { arguments += ["--deny", rule] }
        let server = try SimulatorProcess.start(arguments)
        return SimulatedKubernetes(url: server.url, caFile: server.caFile, token: token, kubeconfig: folder + "/kubeconfig", folder: folder)
    }

    /// What a step needs to act as the pod, through the kubeconfig.
    public var stepEnvironment: [String: String] {
        ["KUBECONFIG": kubeconfig, "HOSTNAME": Self.podName, "KUBERNETES_POD_UID": Self.podUID]
    }

    /// A service-account folder (token, ca.crt, namespace) and the in-cluster variables.
    public func inClusterEnvironment(token: String? = nil, caFile: String? = nil) throws -> [String: String] {
        let directory = folder + "/serviceaccount-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try (token ?? self.token).write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: caFile ?? self.caFile, toPath: directory + "/ca.crt")
        try Self.namespace.write(toFile: directory + "/namespace", atomically: true, encoding: .utf8)
        let port = url.split(separator: ":").last.map(String.init) ?? ""
        return [
            "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port, "KUBERNETES_SERVICE_ACCOUNT_DIR": directory,
            "HOSTNAME": Self.podName, "KUBERNETES_POD_UID": Self.podUID,
        ]
    }

    /// Runs the installed kubectl against the simulator.
    public func kubectl(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runProcess("/usr/bin/kubectl", arguments, environment: ["KUBECONFIG": kubeconfig, "PATH": "/usr/bin:/bin", "HOME": folder])
    }

    /// A Secret read back with `kubectl get secret NAME -o json`, or nil when kubectl finds none.
    public func secret(_ name: String) throws -> JSONValue? {
        let result = try kubectl(["get", "secret", name, "-o", "json"])
        guard result.status == 0 else { return nil }
        return try JSONValue(parsing: result.stdout)
    }

    /// The Secret's `data`, decoded.
    public func secretData(_ name: String) throws -> [String: String] {
        var decoded: [String: String] = [:]
        for member in try secret(name)?["data"]?.objectValue ?? [] {
            if let text = member.value.stringValue, let data = Data(base64Encoded: text) {
                decoded[member.key] = String(decoding: data, as: UTF8.self)
            }
        }
        return decoded
    }

    /// Calls a control endpoint of the simulator.
    @discardableResult
    public func control(_ path: String, body: String? = nil) throws -> String {
        var arguments = ["-sS", "--cacert", caFile, url + path]
        if let body { arguments += ["-X", "POST", "-d", body] }
        let result = try runProcess("/usr/bin/curl", arguments, environment: [:])
        guard result.status == 0 else { throw TestFailure("curl \(path): \(result.stderr)") }
        return result.stdout
    }

    /// An object read straight from the API (`/api/v1/namespaces/argo-events/configmaps/NAME`,
    /// or a group's path), or nil when the server answers 404.
    public func get(_ path: String) throws -> JSONValue? {
        let result = try runProcess(
            "/usr/bin/curl", ["-sS", "--cacert", caFile, "-H", "Authorization: Bearer \(token)", "-w", "\n%{http_code}", url + path],
            environment: [:])
        guard result.status == 0 else { throw TestFailure("curl \(path): \(result.stderr)") }
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "404" { return nil }
        return try JSONValue(parsing: lines.dropLast().joined(separator: "\n"))
    }

    /// The login history ConfigMap of a BMC on 127.0.0.1 (the README's naming), as stored.
    public func loginHistory(of bmc: SimulatedBMC) throws -> JSONValue? {
        try get("/api/v1/namespaces/\(Self.namespace)/configmaps/\(Self.historyName(of: bmc))")
    }

    /// `obm-logins-<port>-ip4.127.0.0.1`.
    public static func historyName(of bmc: SimulatedBMC) -> String {
        "obm-logins-\(bmc.host.split(separator: ":").last ?? "")-ip4.127.0.0.1"
    }

    /// `obm-lock-<port>-ip4.127.0.0.1`.
    public static func leaseName(of bmc: SimulatedBMC) -> String {
        "obm-lock-\(bmc.host.split(separator: ":").last ?? "")-ip4.127.0.0.1"
    }

    /// The requests served, as `verb resource[/name]`.
    public func requestLog() throws -> [String] {
        try JSONValue(parsing: control("/_simulator/log"))["requests"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

/// PBKDF2 computed by Python's hashlib: an independent check of the `standard` password.
public func pythonStandardPassword(masterKey: String, ip: String) throws -> String {
    let script = """
        import base64, hashlib, sys
        print(base64.b64encode(hashlib.pbkdf2_hmac("sha256", (sys.argv[1] + sys.argv[2]).encode(), b"NaCl", 100000, 15)).decode())
        """
    let result = try runProcess(
        "/usr/bin/env", ["python3", "-c", script, masterKey, ip],
        environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
    guard result.status == 0 else { throw TestFailure("python3: \(result.stderr)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
