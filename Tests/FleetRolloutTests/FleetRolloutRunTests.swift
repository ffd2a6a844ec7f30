import FleetRollout
import Foundation
import JSON
import StepTesting
import Testing

/// Both fleet templates through steps-runner over a rack of 50 simulated servers: mixed vendors,
/// four without a BMC interface, three BMCs refusing every password we know, one firmware task
/// failing. The summary must name exactly those hosts, the step and the reason.
@Suite(.serialized, .stopsSimulators) struct FleetRolloutRunTests {
    static let withoutBMC = ["rack3-05.dc3.local", "rack3-18.dc3.local", "rack3-33.dc3.local", "rack3-47.dc3.local"]
    static let refusing = ["rack3-12.dc3.local", "rack3-29.dc3.local", "rack3-41.dc3.local"]
    static let factoryPassword = ["192.0.2.13", "192.0.2.26", "192.0.2.37", "192.0.2.48"]
    static let firmwareFailure = "rack3-23.dc3.local"
    /// The rack's one R750: its iDRAC image's sha256 on record is wrong (fleet-inventory.json).
    static let wrongChecksum = "rack3-09.dc3.local"

    static func host(_ number: Int) -> String { String(format: "rack3-%02d.dc3.local", number) }

    @Test func aWholeRackSyncsThenUpdatesAndTheSummariesNameEveryFailure() async throws {
        try await offThread {
            let world = try FleetWorld.start()
            let sync = try world.run("obm-sync-creds-fleet", ["location": "DC3", "failure-budget": "20"])
            print("fleet: obm-sync-creds-fleet over 50 hosts took \(String(format: "%.1f", sync.seconds)) s")
            #expect(sync.status == 1, "a rollout with failed hosts fails: \(sync)")
            let results = sync.results
            #expect(results.count == 50, "\(sync)")
            #expect(sync.summary?["succeeded"]?.intValue == 43)
            #expect(sync.summary?["failed"]?.intValue == 7)
            #expect(sync.summary?["notStarted"]?.intValue == 0)
            // The template's parallelism (10) bounds the hosts in flight, and they do overlap.
            #expect((2...10).contains(sync.mostHostsAtOnce), "\(sync.mostHostsAtOnce) hosts at once")
            for host in Self.withoutBMC {
                #expect(results[host]?["result"]?.stringValue == "failed")
                #expect(results[host]?["step"]?.stringValue == "get-obm-ip", "\(String(describing: results[host]))")
                #expect(
                    results[host]?["message"]?.stringValue?.contains("has no interface named iDRAC, iLO or BMC") == true,
                    "\(String(describing: results[host]))")
            }
            for host in Self.refusing {
                #expect(results[host]?["step"]?.stringValue == "sync", "\(String(describing: results[host]))")
                #expect(results[host]?["exitCode"]?.intValue == 1)
                #expect(
                    results[host]?["message"]?.stringValue?.contains("none of the 2 passwords tried") == true,
                    "\(String(describing: results[host]))")
            }
            let failing = Set(Self.withoutBMC + Self.refusing)
            for number in 1...50 where !failing.contains(Self.host(number)) {
                #expect(results[Self.host(number)]?["result"]?.stringValue == "succeeded", "\(Self.host(number))")
            }
            // The workflow's message is Argo's for a failed steps workflow, naming the failed step's
            // node; the summary's own line is on that node, as `argo get` shows it.
            #expect(
                sync.stdout.range(of: #"Message:             child '[^']+' failed\n"#, options: .regularExpression) != nil,
                "\(sync.stdout.prefix(600))")
            #expect(
                sync.stdout.contains("main: Error (exit code 1): 43 of 50 host(s) succeeded, 7 failed, 0 not started"),
                "\(sync.stdout.prefix(600))")
            // The factory-password BMCs now take the record password, and nothing was locked out.
            for address in Self.factoryPassword {
                #expect(try world.bmc(address).accepts(user: "root", password: FleetWorld.recordPassword), "\(address)")
            }
            for address in world.bmcs.keys {
                let state = try world.bmc(address).state()
                #expect(state.lockouts == 0 && state.sessions == 0, "\(address): \(state.lockouts) lockouts, \(state.sessions) sessions")
            }
            #expect(!sync.stdout.contains(FleetWorld.recordPassword) && !sync.stderr.contains(FleetWorld.recordPassword))
            #expect(!(sync.workflow?.serialized.contains(FleetWorld.recordPassword) ?? true), "no password in the Workflow's status")
            // Published to a real cluster, no Argo controller would run it a second time.
            #expect(
                sync.workflow?["metadata"]?["labels"]?["workflows.argoproj.io/controller-instanceid"]?.stringValue == "steps-runner-local")
            #expect(sync.workflow?["spec"]?["shutdown"]?.stringValue == "Terminate")

            // The update fleet, driven by each host's plan: only the R650 and R750 iDRACs behind
            // their baseline are flashed; every other host is planned, recorded and left alone.
            let update = try world.run("obm-firmware-update-fleet", ["location": "DC3", "failure-budget": "10"])
            print("fleet: obm-firmware-update-fleet (from plans) over 50 hosts took \(String(format: "%.1f", update.seconds)) s")
            #expect(update.status == 1, "\(update)")
            let updated = update.results
            #expect(update.summary?["succeeded"]?.intValue == 41, "\(String(describing: update.summary))")
            #expect(update.summary?["failed"]?.intValue == 9)
            #expect(update.summary?["notStarted"]?.intValue == 0)
            let failure = updated[Self.firmwareFailure]
            #expect(failure?["step"]?.stringValue == "update", "\(String(describing: failure))")
            #expect(failure?["message"]?.stringValue?.contains("Exception") == true, "\(String(describing: failure))")
            // rack3-09's image does not match its sha256 on record: cut short, nothing applied.
            let refused = updated[Self.wrongChecksum]
            #expect(refused?["step"]?.stringValue == "update", "\(String(describing: refused))")
            #expect(
                refused?["message"]?.stringValue?.contains("its sha256 is 8a39d2abd3999ab73c34db2476849cddf303ce389b35826850f9a700589b4a90")
                    == true, "\(String(describing: refused))")
            #expect(refused?["message"]?.stringValue?.contains("nothing was applied") == true, "\(String(describing: refused))")
            #expect(try world.bmc("192.0.2.19").images().isEmpty, "the BMC never had the wrong image whole")
            #expect(try world.bmc("192.0.2.19").firmwareVersion() == "7.00.60.00")
            for host in Self.refusing { #expect(updated[host]?["step"]?.stringValue == "read", "\(String(describing: updated[host]))") }
            for host in Self.withoutBMC { #expect(updated[host]?["step"]?.stringValue == "get-obm-ip") }
            // Flashed: the R650s at 7.00.60.00 (rack3-03 and -27 since the sync replaced calvin).
            for number in [1, 3, 11, 13, 21, 27, 39, 49] {
                #expect(updated[Self.host(number)]?["outputs"]?["bmc-action"]?.stringValue == "update", "\(Self.host(number))")
                #expect(try world.bmc("192.0.2.\(10 + number)").firmwareVersion() == "7.10.30.00", "\(Self.host(number))")
            }
            // Left alone: at the baseline, ahead of it (a pulled release), or without one.
            let leftAlone = [(7, "none"), (19, "downgrade-refused"), (2, "no-baseline"), (10, "no-baseline")]
            for (number, action) in leftAlone {
                #expect(updated[Self.host(number)]?["result"]?.stringValue == "succeeded")
                #expect(updated[Self.host(number)]?["outputs"]?["bmc-action"]?.stringValue == action, "\(Self.host(number))")
                #expect(try world.bmc("192.0.2.\(10 + number)").images().isEmpty, "\(Self.host(number))")
            }
            #expect(try world.bmc("192.0.2.29").firmwareVersion() == "7.20.10.00", "never downgraded")
            // Recorded afterwards: the item says 7.10.30.00, and a note names this workflow.
            let name = update.workflow?["metadata"]?["name"]?.stringValue ?? ""
            let device = try #require(
                world.nautobot.get("/dcim/devices/?name=\(Self.host(1))")["results"]?.arrayValue?.first?["id"]?.stringValue)
            let items = try world.nautobot.get("/dcim/inventory-items/?device=\(device)&depth=1")["results"]?.arrayValue ?? []
            #expect(
                items.first { $0["part_id"]?.stringValue == "Installed-25227" }?["software_version"]?["version"]?.stringValue
                    == "7.10.30.00")
            let notes = (try world.nautobot.get("/dcim/devices/\(device)/notes/")["results"]?.arrayValue ?? []).compactMap {
                $0["note"]?.stringValue
            }
            #expect(notes == ["Integrated Dell Remote Access Controller 7.00.60.00 -> 7.10.30.00, workflow \(name)"], "\(notes)")
            for address in world.bmcs.keys {
                let state = try world.bmc(address).state()
                #expect(state.lockouts == 0 && state.sessions == 0, "\(address): \(state.lockouts) lockouts, \(state.sessions) sessions")
            }
        }
    }

    /// The rack's baseline (fleet-inventory.json) gives every kind of verdict, each host planned
    /// through the firmware-plan template: iDRACs behind, at and ahead of the Active 7.10.30.00
    /// (the pulled 7.20.10.00 is no target), a DL325 whose System ROM is at its baseline and whose
    /// iLO has none, and a Supermicro with no baseline at all.
    @Test func theRacksBaselineGivesEachKindOfVerdict() async throws {
        try await offThread {
            let world = try FleetWorld.start()
            let expected: [(host: String, verdict: String, bmc: String)] = [
                (Self.host(1), "outdated", "update"), (Self.host(7), "compliant", "none"), (Self.host(19), "outdated", "downgrade-refused"),
                (Self.host(2), "compliant", "no-baseline"), (Self.host(10), "no-baseline", "no-baseline"),
            ]
            for (host, verdict, bmc) in expected {
                let run = try world.run("firmware-plan", ["hostname": host])
                #expect(run.status == 0, "\(host): \(run)")
                let line = run.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("plan:") }
                let text = line.map { String($0.drop { $0 != "{" }) } ?? ""
                let plan = try JSONValue(parsing: text)
                #expect(plan["verdict"]?.stringValue == verdict, "\(host): \(text)")
                let component = plan["components"]?.arrayValue?.first { $0["kind"] == "bmc" }
                #expect(component?["action"]?.stringValue == bmc, "\(host): \(text)")
            }
        }
    }

    /// firmware-compliance-fleet over the whole rack: every host with a BMC we can log in to is
    /// planned against its device type's baseline and recorded in Nautobot; the summary counts
    /// each device type's verdicts, and names the hosts without one. Nothing on a BMC changes.
    @Test func theComplianceFleetCountsEachDeviceTypeAndRecordsWhatRuns() async throws {
        try await offThread {
            let world = try FleetWorld.start()
            let run = try world.run("firmware-compliance-fleet", ["location": "DC3"])
            print("fleet: firmware-compliance-fleet over 50 hosts took \(String(format: "%.1f", run.seconds)) s")
            // Eleven hosts have no verdict (no BMC interface, a refusing BMC, the factory
            // password the credential sync has not replaced yet): the default budget (25%, 12
            // of 50) holds, every host ran, and the fleet fails for those eleven.
            #expect(run.status == 1, "\(run)")
            let summary = try #require(run.summary, "\(run)")
            #expect(summary["hosts"]?.intValue == 50)
            #expect(summary["compliant"]?.intValue == 20, "\(summary.serialized)")
            #expect(summary["outdated"]?.intValue == 10)
            #expect(summary["noBaseline"]?.intValue == 9)
            #expect(summary["unknown"]?.intValue == 0)
            #expect(summary["failed"]?.intValue == 11)
            #expect(summary["notStarted"]?.intValue == 0)
            #expect(summary["budgetCrossed"]?.boolValue == false)
            var byType: [String: JSONValue] = [:]
            for group in summary["deviceTypes"]?.arrayValue ?? [] { byType[group["deviceType"]?.stringValue ?? ""] = group }
            #expect(
                Set(byType.keys) == ["Dell PowerEdge R650", "Dell PowerEdge R750", "HPE ProLiant DL325 Gen10 Plus", "Supermicro SYS-1029U"])
            #expect(byType["Dell PowerEdge R750"]?["outdated"]?.intValue == 1)
            let r650 = byType["Dell PowerEdge R650"]
            #expect(
                [r650?["hosts"], r650?["compliant"], r650?["outdated"], r650?["failed"]].map { $0?.intValue } == [20, 4, 9, 7],
                "\(String(describing: r650))")
            let dl325 = byType["HPE ProLiant DL325 Gen10 Plus"]
            #expect([dl325?["hosts"], dl325?["compliant"], dl325?["failed"]].map { $0?.intValue } == [20, 16, 4])
            #expect(byType["Supermicro SYS-1029U"]?["noBaseline"]?.intValue == 9)
            let results = run.results
            #expect(results[Self.host(1)]?["result"]?.stringValue == "outdated")
            #expect(results[Self.host(7)]?["result"]?.stringValue == "compliant")
            #expect(results[Self.host(19)]?["result"]?.stringValue == "outdated", "ahead of its baseline is not at it")
            #expect(results[Self.host(10)]?["result"]?.stringValue == "no-baseline")
            #expect(results[Self.host(10)]?["deviceType"]?.stringValue == "Supermicro SYS-1029U")
            for host in Self.withoutBMC {
                #expect(results[host]?["result"]?.stringValue == "failed")
                #expect(results[host]?["step"]?.stringValue == "get-obm-ip", "\(String(describing: results[host]))")
            }
            for host in Self.refusing {
                #expect(results[host]?["step"]?.stringValue == "read", "\(String(describing: results[host]))")
                #expect(results[host]?["message"]?.stringValue?.contains("the BMC refused the credentials on record") == true)
            }
            #expect(
                run.stdout.contains(
                    "main: Error (exit code 1): 20 of 50 host(s) compliant, 10 outdated, 9 no-baseline, 0 unknown, 11 failed, 0 not started"
                ),
                "\(run.stdout.prefix(800))")
            // Recorded: rack3-01's iDRAC, keyed by its id without the version, links 7.00.60.00.
            let device = try #require(
                world.nautobot.get("/dcim/devices/?name=\(Self.host(1))")["results"]?.arrayValue?.first?["id"]?.stringValue)
            let items = try world.nautobot.get("/dcim/inventory-items/?device=\(device)&depth=1")["results"]?.arrayValue ?? []
            let idrac = items.first { $0["part_id"]?.stringValue == "Installed-25227" }
            #expect(idrac?["software_version"]?["version"]?.stringValue == "7.00.60.00", "\(items)")
            // Read-only on every BMC: no image, no change, no lockout, no session left.
            for address in world.bmcs.keys {
                let bmc = world.bmc(address)
                let state = try bmc.state()
                #expect(try bmc.images().isEmpty, "\(address)")
                #expect(state.lockouts == 0 && state.sessions == 0, "\(address): \(state.lockouts) lockouts, \(state.sessions) sessions")
            }
            #expect(try world.bmc("192.0.2.11").firmwareVersion() == "7.00.60.00")
        }
    }

    /// The compliance fleet against the real Nautobot 3.2.7 (CI loads the rack's devices beside
    /// the test inventory, whose baseline serves them): the Dell and Supermicro hosts of the rack,
    /// planned by a real server's answers and recorded into it. The test inventory's R650
    /// baseline asks BIOS 1.8.2 where the rack's runs 1.6.5: every planned R650 is outdated here,
    /// even those whose iDRAC is at its target. The real server keeps its records between runs: a
    /// second run records nothing new, and the test holds either way.
    @Test func theComplianceFleetRecordsIntoTheRealNautobot() async throws {
        guard let real = NautobotBackend.real else {
            #expect(!NautobotBackend.realIsRequired, "REQUIRE_REAL_NAUTOBOT=1 without NAUTOBOT_REAL_URL")
            return
        }
        try await offThread {
            let world = try FleetWorld.start(nautobot: real)
            let run = try world.run("firmware-compliance-fleet", ["location": "DC3", "manufacturer": "Dell,Supermicro"])
            print("fleet: firmware-compliance-fleet over 30 hosts, real Nautobot, took \(String(format: "%.1f", run.seconds)) s")
            let summary = try #require(run.summary, "\(run)")
            guard summary["hosts"]?.intValue == 30 else {
                Issue.record(
                    "the real Nautobot does not hold the rack: load it with scripts/load-nautobot-inventory.py URL TOKEN fixtures/fleet-inventory.json --without-software (\(summary.serialized.prefix(300)))"
                )
                return
            }
            var byType: [String: JSONValue] = [:]
            for group in summary["deviceTypes"]?.arrayValue ?? [] { byType[group["deviceType"]?.stringValue ?? ""] = group }
            let r650 = byType["Dell PowerEdge R650"]
            #expect(
                [r650?["hosts"], r650?["compliant"], r650?["outdated"], r650?["failed"]].map { $0?.intValue } == [20, 0, 13, 7],
                "\(summary.serialized)")
            // The R750 and the Supermicros have no baseline in the test inventory.
            #expect(byType["Dell PowerEdge R750"]?["noBaseline"]?.intValue == 1)
            #expect(byType["Supermicro SYS-1029U"]?["noBaseline"]?.intValue == 9)
            #expect(summary["failed"]?.intValue == 7 && summary["notStarted"]?.intValue == 0)
            // Recorded: each planned R650's iDRAC item links the version its BMC runs.
            for (number, version) in [(1, "7.00.60.00"), (7, "7.10.30.00"), (19, "7.20.10.00")] {
                let device = try #require(
                    real.get("/dcim/devices/?name=\(Self.host(number))")["results"]?.arrayValue?.first?["id"]?.stringValue)
                let items = try real.get("/dcim/inventory-items/?device=\(device)&depth=1")["results"]?.arrayValue ?? []
                let idrac = items.first { $0["part_id"]?.stringValue == "Installed-25227" }
                #expect(idrac?["software_version"]?["version"]?.stringValue == version, "\(Self.host(number)): \(items)")
            }
            #expect(!run.stdout.contains(real.token) && !run.stderr.contains(real.token))
        }
    }

    /// Six healthy hosts meet one 503 from Nautobot that the client will not wait out (exit 75),
    /// and the summary's first read of the Workflow meets one from the Kubernetes API: Argo (and
    /// the runner) retry each, keeping the failed attempt as a Pod node. Those hosts succeeded
    /// and spend none of a budget the seven real failures fill exactly; the summary's own retry
    /// is nobody's failure. The Workflow published has Argo's shapes throughout.
    @Test func stepsRetriedAfterExit75SpendNoBudget() async throws {
        try await offThread {
            let world = try FleetWorld.start()
            let retried = [1, 2, 3, 4, 6, 7].map(Self.host)
            for host in retried {
                try world.nautobot.control(
                    "/_simulator/fail", body: #"{"status": 503, "count": 1, "retryAfter": 120, "match": "\#(host)"}"#)
            }
            // The runner reads the Workflow once before creating it, and each of the 50 admissions
            // once: the 52nd read is the summary's.
            try world.cluster.control(
                "/_simulator/fail", body: #"{"match": "get workflows/", "after": 51, "count": 1, "status": 503, "retryAfter": 120}"#)
            let run = try world.run("obm-sync-creds-fleet", ["location": "DC3", "failure-budget": "7"])
            #expect(run.status == 1, "\(run)")
            #expect(run.summary?["succeeded"]?.intValue == 43, "\(String(describing: run.summary))")
            #expect(run.summary?["failed"]?.intValue == 7)
            #expect(run.summary?["notStarted"]?.intValue == 0)
            #expect(run.summary?["budgetCrossed"]?.boolValue == false)
            for host in retried { #expect(run.results[host]?["result"]?.stringValue == "succeeded", "\(host)") }

            let workflow = try #require(run.workflow)
            let nodes = try WorkflowNodes(workflow: workflow)
            let reader = RolloutReader(nodes: nodes, hostTemplate: "obm-sync-creds/main")
            #expect(reader.failedHosts == Set(Self.withoutBMC + Self.refusing), "\(reader.failedHosts.sorted())")

            // Each retried host: a Retry node that succeeded over a Pod that failed with 75 and
            // one that succeeded, all owned by the host's sync run.
            for host in retried {
                let retries = nodes.all.filter { $0.type == "Retry" && $0.inputs["hostname"] == host && $0.phase == "Succeeded" }
                let attempts = retries.flatMap { retry in (retry.children ?? []).compactMap { nodes[$0] } }
                #expect(attempts.contains { $0.phase == "Failed" && $0.exitCode == 75 && $0.type == "Pod" }, "\(host)")
                #expect(
                    attempts.filter { $0.phase == "Failed" }.allSatisfy { $0.message?.hasPrefix("main: Error (exit code 75): ") == true },
                    "\(attempts.compactMap(\.message))")
            }
            // The summary: a Retry whose first attempt failed with 75 and whose second judged.
            let summary = try #require(nodes.all.first { $0.displayName == "summary" })
            #expect(summary.type == "Retry")
            let summaryAttempts = (summary.children ?? []).compactMap { nodes[$0] }
            #expect(summaryAttempts.map(\.displayName) == ["summary(0)", "summary(1)"])
            #expect(summaryAttempts.map(\.exitCode) == [75, 1])
            // Argo's graph: the summary's step group hangs below the hosts' last pods, and the
            // root's step groups come one below the other.
            let group = try #require(nodes.all.first { $0.type == "StepGroup" && $0.children?.contains(summary.id) == true })
            #expect(group.name.hasSuffix("[2]") && group.displayName == "[2]")
            let parents = nodes.all.filter { $0.children?.contains(group.id) == true }
            #expect(parents.count >= 43 && parents.allSatisfy { $0.type == "Pod" || $0.type == "Skipped" }, "\(parents.count) parents")
            let hostNodes = nodes.all.filter { $0.displayName?.hasPrefix("host(") == true }
            #expect(hostNodes.count == 50 && hostNodes.allSatisfy { $0.type == "Steps" && $0.boundaryID != nil })
            #expect(hostNodes.contains { $0.displayName == "host(0:\(Self.host(1)))" })
            // A host without a BMC interface: its DAG's get-obm-ip ran out (exit 1, not retried) and
            // sync, which needs it, was Omitted and hangs below get-obm-ip's last attempt.
            let hostRun = try #require(nodes.all.first { $0.type == "DAG" && $0.inputs["hostname"] == Self.withoutBMC[0] })
            let owned = nodes.owned(by: hostRun)
            let ip = try #require(owned.first { $0.displayName == "get-obm-ip" })
            #expect((ip.type, ip.phase, ip.message) == ("Retry", "Failed", "retryStrategy.expression evaluated to false"))
            let omitted = try #require(owned.first { $0.displayName == "sync" })
            #expect((omitted.type, omitted.phase) == ("Skipped", "Omitted") && omitted.inputs.isEmpty)
            #expect(nodes.lastAttempt(of: ip)?.children?.contains(omitted.id) == true)
            #expect(hostRun.children?.count == 2, "the DAG's children are the tasks without dependencies")
            guard case .failed(let step, let exitCode, let message) = reader.failure(of: hostRun) else {
                Issue.record("\(Self.withoutBMC[0]) failed")
                return
            }
            #expect((step, exitCode) == ("get-obm-ip", 1))
            #expect(message.contains("has no interface named iDRAC, iLO or BMC") && !message.hasPrefix("main: Error"), "\(message)")
            let root = try #require(nodes.all.first { $0.boundaryID == nil })
            #expect(nodes.owned(by: root).count == nodes.all.count - 1, "every node belongs to the workflow, through boundaryID")
        }
    }

    @Test func theBudgetStopsNewHostsOnceCrossedAndTheRunningOnesFinish() async throws {
        try await offThread {
            let world = try FleetWorld.start()
            // 5% of the 50 selected is 2 hosts: the third failure crosses it.
            let run = try world.run("obm-sync-creds-fleet", ["location": "DC3", "failure-budget": "5%"])
            #expect(run.status == 1)
            guard let summary = run.summary else {
                Issue.record("no summary: \(run)")
                return
            }
            let rows = run.results
            let failed = rows.filter { $0.value["result"]?.stringValue == "failed" }.map(\.key)
            let notStarted = rows.filter { $0.value["result"]?.stringValue == "not started" }.map(\.key)
            let succeeded = rows.filter { $0.value["result"]?.stringValue == "succeeded" }.map(\.key)
            #expect(rows.count == 50 && failed.count + notStarted.count + succeeded.count == 50, "\(summary.serialized)")
            #expect(summary["budgetCrossed"]?.boolValue == true)
            #expect(failed.count >= 3, "the budget is crossed by the third failure")
            #expect(!notStarted.isEmpty, "hosts after the crossing never start: \(summary.serialized)")
            // Nothing not started comes before a started host: hosts start in selection order.
            let order = (1...50).map(Self.host)
            let lastStarted = order.lastIndex { !notStarted.contains($0) } ?? 0
            let firstSkipped = order.firstIndex { notStarted.contains($0) } ?? 50
            #expect(firstSkipped > lastStarted, "skipped hosts are a tail of the list")
            for host in notStarted {
                #expect(
                    rows[host]?["reason"]?.stringValue?.contains("more than the failure budget (5%, 2 of 50)") == true,
                    "\(String(describing: rows[host]))")
                // A skipped host's BMC saw no login at all.
                let number = Int(host.dropFirst("rack3-".count).prefix(2)) ?? 0
                if let url = world.bmcs["192.0.2.\(10 + number)"] {
                    #expect(try world.bmc("192.0.2.\(10 + number)").state().attempts.isEmpty, "\(host) at \(url)")
                }
            }
            #expect(run.stdout.contains("failure budget 5% crossed"), "\(run.stdout)")
        }
    }
}
