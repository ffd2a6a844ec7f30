import JSON
import StepTesting
import Testing

/// `get-devices-nautobot` against each Nautobot: filters, pages, empty and bad selections.
@Suite(.stopsSimulators) struct GetDevicesNautobotTests {
    func names(_ run: StepRun) throws -> Set<String> {
        Set(try JSONValue(parsing: run.output("hostnames") ?? "").arrayValue?.compactMap(\.stringValue) ?? [])
    }

    @Test(arguments: NautobotBackend.available)
    func filtersSelectTheFleet(backend: NautobotBackend) throws {
        let hpe = try runStep("get-devices-nautobot", ["--manufacturer", "HPE", "--location", "DC1"], environment: backend.environment)
        #expect(hpe.status == 0, "\(hpe)")
        #expect(try names(hpe) == ["host2.domain.local", "x+y.domain.local"])
        #expect(hpe.stdout == (hpe.output("hostnames") ?? "") + "\n")
        // Each host's device type as Nautobot displays it (manufacturer and model), for a
        // compliance summary to group by: one request for the types, whatever the hosts.
        #expect(
            hpe.output("device-types")
                == #"{"host2.domain.local":"HPE ProLiant DL325 Gen10 Plus","x+y.domain.local":"HPE ProLiant DL325 Gen10 Plus"}"#,
            "\(hpe)")
        let dc2 = try runStep(
            "get-devices-nautobot", ["--location", "DC2", "--status", "Active", "--role", "server"], environment: backend.environment)
        #expect(try names(dc2) == ["dup.domain.local", "demo.domain.local"], "\(dc2)")
        let either = try runStep(
            "get-devices-nautobot", [],
            environment: backend.environment.merging(["INPUT_MANUFACTURER": "HPE, Supermicro", "INPUT_LOCATION": "DC1"]) { $1 })
        #expect(try names(either) == ["host2.domain.local", "x+y.domain.local", "host3.domain.local"])
        let types = try JSONValue(parsing: either.output("device-types") ?? "")
        #expect(types["host3.domain.local"]?.stringValue == "Supermicro SYS-1029U", "\(either)")
    }

    @Test(arguments: NautobotBackend.available)
    func everyPageIsFollowedAndNamesComeOnce(backend: NautobotBackend) throws {
        // DC1 and DC2: the test inventory (CI's real Nautobot also holds the rack, in DC3).
        let run = try runStep(
            "get-devices-nautobot", ["--status", "Active", "--location", "DC1,DC2", "--page-size", "2"], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        let list = try JSONValue(parsing: run.output("hostnames") ?? "").arrayValue ?? []
        #expect(list.count == 10, "11 devices, dup.domain.local twice in Nautobot, once in the list")
        #expect(run.output("count") == "10", "the count a percentage failure budget divides by")
        #expect(try names(run).contains("a b&c"))
    }

    @Test(arguments: NautobotBackend.available)
    func emptyAndBadSelections(backend: NautobotBackend) throws {
        let empty = try runStep("get-devices-nautobot", ["--location", "DC2", "--manufacturer", "HPE"], environment: backend.environment)
        #expect(empty.status == 1)
        #expect(empty.stderrLines == ["get-devices-nautobot: no device in Nautobot (\(backend.url)) matches location=DC2 manufacturer=HPE"])
        let allowed = try runStep(
            "get-devices-nautobot", ["--location", "DC2", "--manufacturer", "HPE", "--allow-empty"], environment: backend.environment)
        #expect(allowed.status == 0)
        #expect(allowed.output("hostnames") == "[]")
        #expect(allowed.output("device-types") == "{}")
        let unknown = try runStep("get-devices-nautobot", ["--location", "DC9"], environment: backend.environment)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("location: Select a valid choice. DC9 is not one of the available choices."), "\(unknown)")
        let none = try runStep("get-devices-nautobot", [], environment: backend.environment)
        #expect(none.status == 64)
        #expect(none.stderr.contains("give at least one filter"))
    }
}
