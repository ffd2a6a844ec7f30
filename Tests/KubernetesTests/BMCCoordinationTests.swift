import BMCCoordination
import Foundation
import JSON
import Kubernetes
import StepRuntime
import StepTesting
import Testing

/// The names of a BMC's history and Lease, the times Kubernetes reads, and the simulator refusing
/// what a real API server refuses for the objects they live in.
@Suite(.stopsSimulators) struct BMCCoordinationTests {
    @Test func oneBMCOneNameWhateverFormItsAddressCameIn() throws {
        #expect(try BMCObjectName(endpointBase: "https://10.0.0.1").history == "obm-logins-443-ip4.10.0.0.1")
        #expect(try BMCObjectName(endpointBase: "https://10.0.0.1:443").lease == "obm-lock-443-ip4.10.0.0.1")
        #expect(
            try BMCObjectName(endpointBase: "https://[2001:db8::1]:8443").history
                == "obm-logins-8443-ip6.2001-0db8-0000-0000-0000-0000-0000-0001")
        #expect(
            try BMCObjectName(endpointBase: "https://[2001:DB8:0:0::1]").suffix
                == BMCObjectName(endpointBase: "https://[2001:db8::0:1]:443").suffix)
        #expect(try BMCObjectName(endpointBase: "https://BMC-R12.Example.com").history == "obm-logins-443-dns.bmc-r12.example.com")
        // A name that looks like the start of another kind's never collides with it.
        #expect(try BMCObjectName(endpointBase: "https://ip4.10.0.0.1").suffix == "443-dns.ip4.10.0.0.1")
        for bad in ["https://bmc_1.example", "https://-bmc.example", "https://10.0.0.1:99999"] {
            #expect(throws: StepError.self, "\(bad)") { try BMCObjectName(endpointBase: bad) }
        }
    }

    @Test func timesAreWrittenAsKubernetesReadsThem() {
        let time = 1_796_248_231.123456
        #expect(UTCTimestamp.format(time) == "2026-12-02T21:50:31.123456Z")
        #expect(UTCTimestamp.format(time, fractionDigits: 3) == "2026-12-02T21:50:31.123Z")
        #expect(UTCTimestamp.format(time, fractionDigits: 0) == "2026-12-02T21:50:31Z")
        #expect(abs((UTCTimestamp.parse("2026-12-02T21:50:31.123456Z") ?? 0) - time) < 1e-5)
        #expect(UTCTimestamp.parse("2026-12-02T22:50:31+01:00") == 1_796_248_231)
        for bad in ["2026-12-02", "2026-12-02T21:50:31", "2026-13-02T21:10:31Z", "2026-12-02T21:50:31.Z", "yesterday"] {
            #expect(UTCTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func theSimulatorRefusesWhatARealAPIServerRefuses() throws {
        let kube = try SimulatedKubernetes.start(configMaps: ["settings": ["a": "1"]])
        let client = try KubernetesClient(configuration: KubernetesConfiguration.fromKubeconfig(paths: kube.kubeconfig))
        // A ConfigMap may be updated without a resourceVersion (AllowUnconditionalUpdate)...
        let configMap: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings"], "data": ["a": "2"]]
        guard case .replaced(let updated) = try client.replace("configmaps", named: "settings", with: configMap) else {
            Issue.record("an unconditional ConfigMap update was refused")
            return
        }
        // ...but not with a stale one.
        let stale = configMap.setting("metadata", to: ["name": "settings", "resourceVersion": "1"])
        guard case .conflict = try client.replace("configmaps", named: "settings", with: stale) else {
            Issue.record("a stale resourceVersion was accepted")
            return
        }
        // Merge patches of different keys never lose each other.
        _ = try client.mergePatch("configmaps", named: "settings", ["data": ["b": "x"]])
        _ = try client.mergePatch("configmaps", named: "settings", ["data": ["c": "y", "a": nil]])
        #expect(try client.object("configmaps", named: "settings")?["data"] == ["b": "x", "c": "y"])
        // The update left a resourceVersion past the one the ConfigMap was created with ("1").
        #expect((updated["metadata"]?["resourceVersion"]?.stringValue).flatMap { UInt64($0) }.map { $0 > 1 } == true)
        // A Lease never goes without its resourceVersion, and its times are MicroTime.
        let now = UTCTimestamp.format(StepClock.wall())
        let lease: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "obm-lock-443-ip4.10.0.0.1"],
            "spec": ["holderIdentity": "a", "leaseDurationSeconds": 30, "renewTime": .string(now)],
        ]
        guard case .created = try client.create("leases", lease) else {
            Issue.record("the Lease was not created")
            return
        }
        #expect {
            _ = try client.replace("leases", named: "obm-lock-443-ip4.10.0.0.1", with: lease)
        } throws: { error in
            (error as? KubernetesError)?.message
                == "Kubernetes API refused to update leases \"obm-lock-443-ip4.10.0.0.1\" in namespace argo-events (422 Invalid): leases.coordination.k8s.io \"obm-lock-443-ip4.10.0.0.1\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"
        }
        let millis = lease.setting(
            "spec", to: ["holderIdentity": "a", "renewTime": .string(UTCTimestamp.format(StepClock.wall(), fractionDigits: 3))]
        )
        .setting("metadata", to: ["name": "second"])
        #expect {
            _ = try client.create("leases", millis)
        } throws: { error in
            (error as? KubernetesError)?.message.contains("as \"2006-01-02T15:04:05.000000Z07:00\"") == true
        }
    }
}

/// The runner publishes Workflows as a real API server lets it: with the resourceVersion read.
@Suite(.stopsSimulators) struct WorkflowPublishingTests {
    @Test func aWorkflowIsUpdatedAtTheVersionReadNeverUnconditionally() throws {
        let kube = try SimulatedKubernetes.start()
        let client = try KubernetesClient(configuration: KubernetesConfiguration.fromKubeconfig(paths: kube.kubeconfig))
        let workflow: JSONValue = [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": ["name": "sync-abc12"], "status": ["phase": "Running"],
        ]
        try client.publishWorkflow(workflow)
        let created = try #require(try client.object("workflows", named: "sync-abc12"))
        try client.publishWorkflow(workflow.setting("status", to: ["phase": "Succeeded"]))
        let updated = try #require(try client.object("workflows", named: "sync-abc12"))
        #expect(updated["status"]?["phase"] == "Succeeded")
        #expect(updated["metadata"]?["uid"] == created["metadata"]?["uid"], "updated in place, not made again")
        #expect(updated["metadata"]?["resourceVersion"] != created["metadata"]?["resourceVersion"])
        // What the runner used to send: refused as a real API server refuses it.
        #expect {
            _ = try client.replace("workflows", named: "sync-abc12", with: workflow)
        } throws: { error in
            (error as? KubernetesError)?.message.hasSuffix(
                "(422 Invalid): workflows.argoproj.io \"sync-abc12\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"
            )
                == true
        }
        #expect(try kube.requestLog().filter { $0.hasPrefix("update workflows") }.count == 2)
    }
}
