import Foundation
import JSON

/// What steps-runner needs to run the templates against simulators: Nautobot, a Kubernetes API
/// holding the seed's ConfigMaps and Secrets, and a BMC that demo.domain.local's address reaches.
public struct RunnerWorld: Sendable {
    public var nautobot: NautobotBackend
    public var cluster: SimulatedKubernetes
    public var bmc: SimulatedBMC

    /// `settings`: the obm-settings ConfigMap's data; `legacy`: the legacy passwords.
    public static func start(
        bmcArguments: [String], accounts: [String], settings: [String: String], legacy: [String], deny: [String] = []
    ) throws -> RunnerWorld {
        let nautobot = try SimulatedNautobot.shared()
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: accounts, extra: bmcArguments)
        let cluster = try SimulatedKubernetes.start(
            secrets: [
                "nautobot-token": ["token": nautobot.token, "bearer_token": "Token \(nautobot.token)"],
                "obm-legacy-passwords": ["passwords": JSONValue.array(legacy.map { .string($0) }).serialized],
                "obm-master": ["key": "runner-test-master-key"],
                "obm-creds": ["username": "root", "password": "Record-Passw0rd-2026"],
            ],
            configMaps: ["nautobot": ["url": nautobot.url], "obm-settings": settings], deny: deny)
        return RunnerWorld(nautobot: nautobot, cluster: cluster, bmc: bmc)
    }

    /// Runs `steps-runner run WORKFLOW -p ...` against this world.
    public func run(_ workflow: String, _ parameters: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
        var arguments = [
            "run", workflow, "--templates", BuiltProducts.packageRoot + "/workflowtemplates", "--bin", BuiltProducts.directory,
            "--backoff-scale", "0.01",
        ]
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) { arguments += ["-p", "\(key)=\(value)"] }
        let port = bmc.host.split(separator: ":").last.map(String.init) ?? "443"
        arguments += [
            "--env", "OBM_PORT=\(port)", "--env", "OBM_CA_FILE=\(bmc.caFile)", "--env", "NAUTOBOT_CA_FILE=\(nautobot.caFile ?? "")",
        ]
        return try runProcess(
            BuiltProducts.path("steps-runner"), arguments,
            environment: ["KUBECONFIG": cluster.kubeconfig, "PATH": "/usr/bin:/bin", "HOME": cluster.folder])
    }
}
