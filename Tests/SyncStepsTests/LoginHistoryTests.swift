import Foundation
import JSON
import StepTesting
import Testing

/// The failed-login history and the change Lease, as an operator's cluster runs the steps: Argo
/// retrying a step in a new pod, two workflows on one BMC, a firmware update then a sync, with
/// the real binaries against the BMC simulator (DMTF: 3 failures lock the account, the count
/// resets 1.5 s after the last one) and the Kubernetes simulator.
@Suite(.stopsSimulators) struct LoginHistoryTests {
    static let record = "Record-Passw0rd-2026"
    static let factory = "calvin-factory"

    func environment(_ bmc: SimulatedBMC, _ kube: SimulatedKubernetes, password: String = record, legacy: [String], pod: String)
        -> [String: String]
    {
        bmc.environment(password: password, legacy: legacy).merging(kube.stepEnvironment) { $1 }.merging([
            "HOSTNAME": pod, "LOG_LEVEL": "info",
        ]) { $1 }
    }

    /// Every attempt the history holds, as `credentials:outcome` in the order sent.
    func historyAttempts(_ kube: SimulatedKubernetes, _ bmc: SimulatedBMC) throws -> [String] {
        let data = try kube.loginHistory(of: bmc)?["data"]?.objectValue ?? []
        let records = try data.filter { $0.key.hasPrefix("attempt.") }.map { member -> (String, String) in
            let value = try JSONValue(parsing: member.value.stringValue ?? "")
            return (value["sent"]?.stringValue ?? "", "\(value["credentials"]?.stringValue ?? ""):\(value["outcome"]?.stringValue ?? "")")
        }
        return records.sorted { $0.0 < $1.0 }.map(\.1)
    }

    @Test func aRetriedPodCountsTheFailuresOfThePodBefore() throws {
        let kube = try SimulatedKubernetes.start()
        // The count resets 6 s after the last failure: a loaded machine cannot start the retry
        // so late that the first pod's failure no longer counts.
        let bmc = try SimulatedBMC.start(
            personality: "dmtf", accounts: ["root:\(Self.factory)"], timeScale: 0.2, extra: ["--account-threshold", "3"])
        // The first pod's record password is refused, then the BMC answers 503: exit 75.
        try bmc.busyAfterFailures(1)
        let env = environment(bmc, kube, legacy: ["wrong-legacy", Self.factory], pod: "sync-attempt-1")
        let first = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env)
        #expect(first.status == 75, "\(first)")
        // Argo's retry: a new pod, at once.
        let second = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env.merging(["HOSTNAME": "sync-attempt-2"]) { $1 })
        #expect(second.status == 0, "\(second)")
        #expect(second.output("status") == "synced")
        let state = try bmc.state()
        #expect(state.lockouts == 0, "\(state.attempts)")
        #expect(state.sessions == 0)
        #expect(state.attempts.map(\.outcome) == ["refused", "busy", "refused", "refused", "accepted", "accepted"])
        // The retry counted the first pod's failure: two stood after its own record attempt, so
        // the wrong legacy password waited for the BMC's count to reset (6 s).
        #expect(
            second.stderr.contains("to stay under the BMC's lockout threshold"),
            "the retry waited because of the first pod's failure: \(second)")
        #expect(state.attempts[3].time - state.attempts[2].time >= 6)
        #expect(
            try historyAttempts(kube, bmc) == [
                "record:refused", "legacy:busy", "record:refused", "legacy:refused", "legacy:accepted", "record:accepted",
            ])
        let stored = try kube.loginHistory(of: bmc)?.serialized ?? ""
        for secret in [Self.record, Self.factory, "wrong-legacy"] { #expect(!stored.contains(secret), "a password in the history") }
        #expect(try bmc.accepts(user: "root", password: Self.record))
    }

    @Test func twoSyncsAtOnceNeverPassTheThresholdTogether() throws {
        let kube = try SimulatedKubernetes.start()
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:\(Self.factory)"], extra: ["--account-threshold", "3"])
        // Three wrong passwords between them: the record (each tries it) and one legacy.
        let first = try RunningStep(
            "obm-sync-creds", ["--host", bmc.host],
            environment: environment(bmc, kube, legacy: ["wrong-legacy", Self.factory], pod: "rollout-a"))
        let second = try RunningStep(
            "obm-sync-creds", ["--host", bmc.host],
            environment: environment(bmc, kube, legacy: ["wrong-legacy", Self.factory], pod: "manual-b"))
        let runs = [try first.wait(timeout: 60), try second.wait(timeout: 60)]
        let state = try bmc.state()
        #expect(state.lockouts == 0, "\(state.attempts)")
        #expect(state.sessions == 0)
        let outcomes = runs.map { $0.status == 0 ? $0.output("status") ?? "" : "exit \($0.status)" }.sorted()
        #expect(outcomes == ["in-sync", "synced"] || outcomes == ["exit 75", "synced"], "\(runs)")
        #expect(try bmc.accepts(user: "root", password: Self.record))
        // The one that waited for the other's Lease said so once.
        let waits = runs.map { $0.stderrLines.filter { $0.contains("is being changed by") }.count }
        #expect(waits.sorted() == [0, 1], "\(runs)")
    }

    @Test func aFirmwareUpdateWithAWrongPasswordCountsForTheNextSync() throws {
        let kube = try SimulatedKubernetes.start()
        let bmc = try SimulatedBMC.start(
            personality: "dmtf", accounts: ["root:\(Self.factory)"], timeScale: 0.2, extra: ["--account-threshold", "3"])
        let env = environment(bmc, kube, legacy: ["wrong-legacy", Self.factory], pod: "firmware-1")
        let update = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", "http://127.0.0.1:9/bmc.bin"], environment: env)
        #expect(update.status == 1, "\(update)")
        #expect(update.stderrLines.last?.hasSuffix("run obm-sync-creds first") == true, "\(update)")
        let sync = try runStep("obm-sync-creds", ["--host", bmc.host], environment: env.merging(["HOSTNAME": "sync-1"]) { $1 })
        #expect(sync.status == 0, "\(sync)")
        #expect(sync.output("status") == "synced")
        let state = try bmc.state()
        #expect(state.lockouts == 0, "\(state.attempts)")
        #expect(state.attempts.map(\.outcome) == ["refused", "refused", "refused", "accepted", "accepted"])
        #expect(sync.stderr.contains("to stay under the BMC's lockout threshold"), "the sync waited for the update's failure: \(sync)")
        #expect(state.attempts[2].time - state.attempts[1].time >= 6, "the update's failure was counted")
    }

    @Test func aMalformedOrNewerHistoryIsAnErrorNeverNoFailures() throws {
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:\(Self.factory)"], extra: ["--account-threshold", "3"])
        let name = SimulatedKubernetes.historyName(of: bmc)
        let malformed = try SimulatedKubernetes.start(configMaps: [
            name: [
                "format": "1",
                "attempt.1796248231123.0a1b2c3d":
                    #"{"sent":"yesterday","outcome":"refused","credentials":"record","step":"obm-sync-creds","pod":"p"}"#,
            ]
        ])
        let run = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: environment(bmc, malformed, legacy: [Self.factory], pod: "sync-1"))
        #expect(run.status == 1)
        #expect(
            run.stderrLines.last
                == "obm-sync-creds: ConfigMap \(name) in namespace argo-events is malformed (key attempt.1796248231123.0a1b2c3d: sent \"yesterday\" is not an RFC 3339 time); it is not read as \"no failures\": fix it, or delete it once no step is logging in to the BMC"
        )
        let missing = try SimulatedKubernetes.start(configMaps: [
            name: ["format": "1", "attempt.1.2": #"{"sent":"2026-11-29T10:00:00.000Z"}"#]
        ])
        let second = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: environment(bmc, missing, legacy: [Self.factory], pod: "sync-2"))
        #expect(second.status == 1)
        #expect(second.stderrLines.last?.contains("is malformed (key attempt.1.2: outcome is missing)") == true, "\(second)")
        let newer = try SimulatedKubernetes.start(configMaps: [name: ["format": "2", "attempts": "[]"]])
        let third = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: environment(bmc, newer, legacy: [Self.factory], pod: "sync-3"))
        #expect(third.status == 1)
        #expect(
            third.stderrLines.last
                == "obm-sync-creds: ConfigMap \(name) in namespace argo-events was written by a newer version of these steps (format 2; this one reads 1): upgrade the step images; its records are not ignored"
        )
        #expect(try bmc.state().attempts.isEmpty, "no login before the history was read")
    }

    @Test func anUnreachableAPIIsExit75AndRBACIsExit1BeforeAnyLogin() throws {
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:\(Self.factory)"], extra: ["--account-threshold", "3"])
        let kube = try SimulatedKubernetes.start(deny: ["patch:configmaps"])
        let denied = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: environment(bmc, kube, legacy: [Self.factory], pod: "sync-1"))
        #expect(denied.status == 1)
        #expect(
            denied.stderrLines.last
                == "obm-sync-creds: Kubernetes RBAC refused to patch configmaps \"\(SimulatedKubernetes.historyName(of: bmc))\" in namespace argo-events (403); the ServiceAccount needs a Role rule allowing verb \"patch\" on resource \"configmaps\""
        )
        // The same kubeconfig, pointed at a port nobody listens on.
        let port = try closedPort()
        let text = try String(contentsOfFile: kube.kubeconfig, encoding: .utf8)
        let down = kube.folder + "/kubeconfig-down"
        try text.replacingOccurrences(of: kube.url, with: "https://127.0.0.1:\(port)").write(
            toFile: down, atomically: true, encoding: .utf8)
        let unreachable = try runStep(
            "obm-sync-creds", ["--host", bmc.host],
            environment: environment(bmc, kube, legacy: [Self.factory], pod: "sync-2").merging(["KUBECONFIG": down]) { $1 })
        #expect(unreachable.status == 75, "\(unreachable)")
        #expect(unreachable.stderrLines.last?.contains("Kubernetes API") == true, "\(unreachable)")
        #expect(try bmc.state().attempts.isEmpty, "no login without a history to write it to")
    }

    @Test func aLaterRunPacesByThePolicyLearnedAtAnEarlierLogin() throws {
        // A BMC of unknown make that shows its lockout policy only after a login.
        let bmc = try SimulatedBMC.start(
            personality: "dmtf", accounts: ["root:\(Self.record)"], extra: ["--account-threshold", "3", "--account-service-needs-login"])
        let kube = try SimulatedKubernetes.start()
        let first = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: environment(bmc, kube, legacy: [], pod: "sync-1"))
        #expect(first.output("status") == "in-sync", "\(first)")
        #expect(first.stderr.contains("failed-login policy spacing=60s (cautious default)"), "\(first)")
        let policy = try JSONValue(parsing: kube.loginHistory(of: bmc)?["data"]?["policy"]?.stringValue ?? "")
        #expect(policy["threshold"] == 3 && policy["resetAfter"]?.doubleValue == 1.5, "\(policy)")
        // The record changed since: two failures to place. By the cautious default that is two
        // 60 s waits; by the learned policy, one 1.5 s reset.
        let second = try runStep(
            "obm-sync-creds", ["--host", bmc.host],
            environment: environment(bmc, kube, password: "Rotated-Passw0rd-2027", legacy: ["wrong-legacy", Self.record], pod: "sync-2"))
        #expect(second.output("status") == "synced", "\(second)")
        #expect(
            second.stderr.contains("failed-login policy threshold=3,reset-after=1.5s,duration=1.5s (learned at a login on "), "\(second)")
        // The waits the step chose, as it logged them: at most the learned reset and its margin
        // (1.5 s + 0.075 s, logged to a tenth), not the cautious default's 60 s.
        let waits = Self.waitsLogged(second.stderr)
        #expect(!waits.isEmpty && waits.allSatisfy { $0 <= 1.6 }, "\(waits)")
        #expect(try bmc.state().lockouts == 0)
        #expect(try bmc.accepts(user: "root", password: "Rotated-Passw0rd-2027"))
    }

    /// The seconds of every "waiting N s before …" line a BMC step logged.
    static func waitsLogged(_ stderr: String) -> [Double] {
        stderr.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "waiting "), line.contains(" s before ") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 != " " })
        }
    }

    @Test func aHeldLeaseKeepsASecondChangeOffUntilItsDeadline() throws {
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:\(Self.factory)"], extra: ["--account-threshold", "3"])
        let lease = Self.lease(bmc, holder: "fleet-pod/obm-firmware-update/7-ab", renewedAgo: 0, duration: 3600)
        let kube = try SimulatedKubernetes.start(objects: [lease])
        let env = environment(bmc, kube, legacy: [Self.factory], pod: "sync-1")
        let run = try runStep("obm-sync-creds", ["--host", bmc.host, "--timeout", "3s"], environment: env)
        #expect(run.status == 75, "\(run)")
        #expect(
            run.stderrLines.last?.hasPrefix(
                "obm-sync-creds: another step (fleet-pod/obm-firmware-update/7-ab) was still changing BMC \(bmc.url) after 3 s (Lease \(SimulatedKubernetes.leaseName(of: bmc)) in namespace argo-events)"
            ) == true, "\(run)")
        #expect(run.stderrLines.filter { $0.contains("is being changed by") }.count == 1, "the wait is logged once, not per poll")
        #expect(try bmc.state().attempts.map(\.outcome) == ["refused"], "only the record, which needs no Lease")
        // A dry run changes nothing and takes no Lease.
        let dry = try runStep("obm-sync-creds", ["--host", bmc.host, "--dry-run"], environment: env)
        #expect(dry.output("status") == "would-sync", "\(dry)")
    }

    @Test func aLeaseItsHolderStoppedRenewingIsTakenOverAndGivenUp() throws {
        let bmc = try SimulatedBMC.start(personality: "dmtf", accounts: ["root:\(Self.factory)"], extra: ["--account-threshold", "3"])
        let lease = Self.lease(bmc, holder: "killed-pod/obm-sync-creds/1-cd", renewedAgo: 120, duration: 30)
        let kube = try SimulatedKubernetes.start(objects: [lease])
        let run = try runStep(
            "obm-sync-creds", ["--host", bmc.host], environment: environment(bmc, kube, legacy: [Self.factory], pod: "sync-1"))
        #expect(run.output("status") == "synced", "\(run)")
        #expect(
            run.stderr.contains(
                "took over Lease \(SimulatedKubernetes.leaseName(of: bmc)) in namespace argo-events from killed-pod/obm-sync-creds/1-cd"))
        let after = try kube.get("/apis/coordination.k8s.io/v1/namespaces/argo-events/leases/\(SimulatedKubernetes.leaseName(of: bmc))")
        #expect(after?["spec"]?["holderIdentity"] == "", "given up when done: \(String(describing: after))")
        #expect(after?["spec"]?["leaseTransitions"] == 1)
    }

    @Test func aStoppedSyncGivesItsLeaseUp() throws {
        // The count resets 30 s after the last failure: the second failure starts a long wait.
        let bmc = try SimulatedBMC.start(
            personality: "dmtf", accounts: ["root:\(Self.factory)"], timeScale: 1, extra: ["--account-threshold", "3"])
        let kube = try SimulatedKubernetes.start()
        let step = try RunningStep(
            "obm-sync-creds", ["--host", bmc.host],
            environment: environment(bmc, kube, legacy: ["wrong-1", "wrong-2", Self.factory], pod: "sync-1"))
        let path = "/apis/coordination.k8s.io/v1/namespaces/argo-events/leases/\(SimulatedKubernetes.leaseName(of: bmc))"
        #expect(try eventually { try bmc.state().attempts.count == 2 }, "the record and one legacy password, then a wait")
        #expect(try kube.get(path)?["spec"]?["holderIdentity"]?.stringValue?.hasPrefix("sync-1/obm-sync-creds/") == true)
        step.signal()
        let run = try step.wait(timeout: 20)
        #expect(run.status == 75, "nothing that changes anything was sent: \(run)")
        #expect(try kube.get(path)?["spec"]?["holderIdentity"] == "", "given up on the way out")
        #expect(try bmc.state().sessions == 0)
    }

    static func lease(_ bmc: SimulatedBMC, holder: String, renewedAgo: Double, duration: Int) -> JSONValue {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'"
        let renewed = formatter.string(from: Date().addingTimeInterval(-renewedAgo))
        return [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(SimulatedKubernetes.leaseName(of: bmc)), "namespace": "argo-events"],
            "spec": [
                "holderIdentity": .string(holder), "leaseDurationSeconds": .integer(duration), "acquireTime": .string(renewed),
                "renewTime": .string(renewed), "leaseTransitions": 0,
            ],
        ]
    }

    /// A loopback port with nothing listening on it.
    func closedPort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
