import Foundation
import JSON
import StepTesting
import Testing

/// Both fleet templates through steps-runner over a rack of 50 simulated servers: mixed vendors,
/// four without a BMC interface, three BMCs refusing every password we know, one firmware task
/// failing. The summary must name exactly those hosts, the step and the reason.
@Suite(.serialized) struct FleetRolloutRunTests {
    static let withoutBMC = ["rack3-05.dc3.local", "rack3-18.dc3.local", "rack3-33.dc3.local", "rack3-47.dc3.local"]
    static let refusing = ["rack3-12.dc3.local", "rack3-29.dc3.local", "rack3-41.dc3.local"]
    static let factoryPassword = ["192.0.2.13", "192.0.2.26", "192.0.2.37", "192.0.2.48"]
    static let firmwareFailure = "rack3-22.dc3.local"

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

            let image = try world.files.image("firmware-7.10.30.00.bin", bytes: 200_000)
            let update = try world.run(
                "obm-firmware-update-fleet", ["location": "DC3", "failure-budget": "10", "firmware-url": image.url])
            print("fleet: obm-firmware-update-fleet over 50 hosts took \(String(format: "%.1f", update.seconds)) s")
            #expect(update.status == 1, "\(update)")
            let updated = update.results
            #expect(update.summary?["succeeded"]?.intValue == 42, "\(String(describing: update.summary))")
            #expect(update.summary?["failed"]?.intValue == 8)
            let failure = updated[Self.firmwareFailure]
            #expect(failure?["step"]?.stringValue == "update", "\(String(describing: failure))")
            #expect(failure?["message"]?.stringValue?.contains("Exception") == true, "\(String(describing: failure))")
            for host in Self.refusing {
                #expect(updated[host]?["step"]?.stringValue == "update", "\(String(describing: updated[host]))")
            }
            for host in Self.withoutBMC { #expect(updated[host]?["step"]?.stringValue == "get-obm-ip") }
            for number in [1, 2, 10, 50] {
                let address = "192.0.2.\(10 + number)"
                #expect(try world.bmc(address).firmwareVersion() == "7.10.30.00", "\(address)")
            }
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
