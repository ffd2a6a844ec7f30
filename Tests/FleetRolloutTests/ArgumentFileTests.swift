import Foundation
import JSON
import StepTesting
import Testing

/// An argument over 128 KiB reaches the step as `@/tmp/argo_arg_N.txt` (Argo's emissary): the
/// summary reads the host list from that file as it would from the argument.
@Suite(.stopsSimulators) struct ArgumentFileTests {
    @Test func theHostListIsReadFromTheFileArgoHandsOver() throws {
        let workflow: JSONValue = [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": ["name": "sync-fleet-x1", "namespace": "argo-events"], "status": ["phase": "Running", "nodes": [:]],
        ]
        let kube = try SimulatedKubernetes.start(objects: [workflow])
        let hosts = (1...5000).map { "server-\($0).dc3.example.com" }
        let file = kube.folder + "/argo_arg_3.txt"
        let list = JSONValue.array(hosts.map { .string($0) }).serialized
        #expect(list.utf8.count > 128 << 10, "long enough that Argo would hand it over as a file")
        try list.write(toFile: file, atomically: true, encoding: .utf8)
        let arguments = [
            "--action", "summarize", "--workflow", "sync-fleet-x1", "--host-template", "obm-sync-creds/main", "--failure-budget", "5",
        ]
        let run = try runStep("fleet-rollout", arguments + ["--hostnames", "@" + file], environment: kube.stepEnvironment)
        #expect(run.status == 1, "no host ran: not a clean rollout")
        let summary = try JSONValue(parsing: run.output("summary") ?? "")
        #expect(summary["hosts"] == 5000 && summary["notStarted"] == 5000, "\(run.stderr.suffix(300))")
        #expect(summary["results"]?.arrayValue?.last?["hostname"] == "server-5000.dc3.example.com")
        let missing = try runStep("fleet-rollout", arguments + ["--hostnames", "@" + file + ".gone"], environment: kube.stepEnvironment)
        #expect(missing.status == 64)
        #expect(
            missing.stderrLines.last == "fleet-rollout: --hostnames @\(file).gone: no such file (an argument Argo handed over as a file?)")
    }
}
