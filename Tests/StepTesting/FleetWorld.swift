import Foundation
import JSON

/// A rack of 50 servers for fleet rollouts: a Nautobot simulator serving fixtures/fleet-inventory.json,
/// their BMCs (fixtures/fleet-bmcs.json) in one `simulator bmc-fleet` reached through
/// OBM_CONNECT_TO routes, a firmware image server, and a Kubernetes API with the settings.
public struct FleetWorld: Sendable {
    public static let recordPassword = "Record-Passw0rd-2026"
    public var nautobot: NautobotBackend
    public var cluster: SimulatedKubernetes
    /// BMC address → its simulator's URL.
    public var bmcs: [String: String]
    public var bmcCAFile: String
    public var files: SimulatedFiles

    /// `nautobot`: a real Nautobot that holds the rack's devices (CI loads them with
    /// `load-nautobot-inventory.py ... fixtures/fleet-inventory.json --without-software`; the
    /// test inventory's baseline serves them); else a simulator of the rack's own.
    public static func start(nautobot real: NautobotBackend? = nil) throws -> FleetWorld {
        // The rack's firmware images first: the Nautobot simulator names their server in the
        // baseline's URLs (in place of the fixture's https://firmware.example).
        let files = try SimulatedFiles.start()
        let images = try runProcess(
            BuiltProducts.packageRoot + "/scripts/fleet-images.sh", [files.folder], environment: ["PATH": "/usr/bin:/bin"])
        guard images.status == 0 else { throw TestFailure("scripts/fleet-images.sh: \(images.stderr)") }
        let nautobot: NautobotBackend
        if let real {
            nautobot = real
        } else {
            let server = try SimulatorProcess.start([
                "nautobot", "--inventory", BuiltProducts.packageRoot + "/fixtures/fleet-inventory.json", "--token", SimulatedNautobot.token,
                "--image-server", files.url,
            ])
            nautobot = NautobotBackend(kind: .simulator, url: server.url, token: SimulatedNautobot.token, caFile: server.caFile)
        }
        let fleet = try SimulatorProcess.start(["bmc-fleet", "--spec", BuiltProducts.packageRoot + "/fixtures/fleet-bmcs.json"])
        let ready = try JSONValue(parsing: fleet.url)
        let routes = ready["connectTo"]?.stringValue ?? ""
        var bmcs: [String: String] = [:]
        for member in ready["bmcs"]?.objectValue ?? [] { bmcs[member.key] = member.value.stringValue }
        let cluster = try SimulatedKubernetes.start(
            secrets: [
                "nautobot-token": ["token": nautobot.token, "bearer_token": "Token \(nautobot.token)"],
                "obm-legacy-passwords": ["passwords": #"["calvin"]"#],
                "obm-creds": ["username": "root", "password": recordPassword],
            ],
            configMaps: [
                "nautobot": ["url": nautobot.url, "obm-interface-names": "iDRAC,iLO,BMC"],
                // No lockout-policy: it would be one policy for every vendor, and iLO's spacing
                // between failed logins is not iDRAC's threshold. Each BMC's own policy applies.
                "obm-settings": ["creds-source": "secret", "connect-to": routes],
            ])
        return FleetWorld(
            nautobot: nautobot, cluster: cluster, bmcs: bmcs, bmcCAFile: fleet.caFile, files: files)
    }

    /// Runs `steps-runner run WORKFLOW -p ...`; the Workflow it published is read back.
    public func run(_ workflow: String, _ parameters: [String: String]) throws -> FleetRun {
        var arguments = [
            "run", workflow, "--templates", BuiltProducts.packageRoot + "/workflowtemplates", "--bin", BuiltProducts.directory,
            "--backoff-scale", "0.01", "--env", "OBM_CA_FILE=\(bmcCAFile)", "--env", "NAUTOBOT_CA_FILE=\(nautobot.caFile ?? "")",
        ]
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) { arguments += ["-p", "\(key)=\(value)"] }
        let started = Date()
        let result = try runProcess(
            BuiltProducts.path("steps-runner"), arguments,
            environment: ["KUBECONFIG": cluster.kubeconfig, "PATH": "/usr/bin:/bin", "HOME": cluster.folder], timeout: 600)
        let seconds = Date().timeIntervalSince(started)
        let name = result.stdout.split(separator: "\n").first { $0.hasPrefix("Name:") }.map {
            String($0.dropFirst("Name:".count)).trimmingCharacters(in: .whitespaces)
        }
        var workflowObject: JSONValue?
        if let name {
            let raw = try cluster.kubectl(["get", "--raw", "/apis/argoproj.io/v1alpha1/namespaces/argo-events/workflows/\(name)"])
            workflowObject = try? JSONValue(parsing: raw.stdout)
        }
        return FleetRun(status: result.status, stdout: result.stdout, stderr: result.stderr, workflow: workflowObject, seconds: seconds)
    }

    /// The state of one BMC of the fleet, by its address.
    public func bmc(_ address: String) -> SimulatedBMC {
        SimulatedBMC(url: bmcs[address] ?? "", caFile: bmcCAFile, pid: 0)
    }
}

/// One steps-runner run of a fleet template, with the Workflow object it published.
public struct FleetRun: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var workflow: JSONValue?
    public var seconds: Double

    /// The `summary` output of the summary step, parsed.
    public var summary: JSONValue? {
        for member in workflow?["status"]?["nodes"]?.objectValue ?? [] where member.value["displayName"]?.stringValue == "summary" {
            for parameter in member.value["outputs"]?["parameters"]?.arrayValue ?? [] where parameter["name"]?.stringValue == "summary" {
                return parameter["value"]?.stringValue.flatMap { try? JSONValue(parsing: $0) }
            }
        }
        return nil
    }

    /// host → its summary row.
    public var results: [String: JSONValue] {
        var rows: [String: JSONValue] = [:]
        for row in summary?["results"]?.arrayValue ?? [] { if let host = row["hostname"]?.stringValue { rows[host] = row } }
        return rows
    }

    /// The most fan-out children (`host(N:name)` nodes) that ran at the same time, from the
    /// nodes' start and finish times.
    public var mostHostsAtOnce: Int {
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var events: [(Date, Int)] = []
        for member in workflow?["status"]?["nodes"]?.objectValue ?? []
        where member.value["displayName"]?.stringValue?.hasPrefix("host(") == true {
            guard let start = member.value["startedAt"]?.stringValue.flatMap({ try? format.parse($0) }),
                let end = member.value["finishedAt"]?.stringValue.flatMap({ try? format.parse($0) })
            else { continue }
            events += [(start, 1), (end, -1)]
        }
        var running = 0
        var most = 0
        // At equal times an end comes before a start: a slot freed is a slot taken.
        for event in events.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
            running += event.1
            most = max(most, running)
        }
        return most
    }

    public var description: String { "status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}
