import JSON
import StepTesting
import Testing

/// `get-device-nautobot` and `nautobot-api` against each Nautobot.
@Suite(.stopsSimulators) struct DeviceAndAPITests {
    @Test(arguments: NautobotBackend.available)
    func deviceIsTheOneObjectAsNautobotReturnsIt(backend: NautobotBackend) throws {
        for name in ["host1.domain.local", "a b&c", "x+y.domain.local"] {
            let run = try runStep("get-device-nautobot", ["--hostname", name], environment: backend.environment)
            #expect(run.status == 0, "\(name): \(run)")
            let device = try JSONValue(parsing: run.output("device") ?? "")
            #expect(device["name"]?.stringValue == name)
            #expect(device["object_type"]?.stringValue == "dcim.device")
            #expect(device["location"]?["object_type"]?.stringValue == "dcim.location")
            #expect(device["location"]?["id"]?.stringValue?.count == 36, "a UUID")
            #expect(run.stdout == (run.output("device") ?? "") + "\n")
        }
    }

    @Test(arguments: NautobotBackend.available)
    func nameMatchIsExactAndCaseSensitive(backend: NautobotBackend) throws {
        let run = try runStep("get-device-nautobot", ["--hostname", "HOST1.domain.local"], environment: backend.environment)
        #expect(run.status == 1)
        #expect(run.stderr.contains("no device named \"HOST1.domain.local\""))
        let partial = try runStep("get-device-nautobot", ["--hostname", "a b"], environment: backend.environment)
        #expect(partial.status == 1, "a name with & must not be split into two filters: \(partial)")
    }

    @Test(arguments: NautobotBackend.available)
    func ambiguousDeviceNamesBoth(backend: NautobotBackend) throws {
        let run = try runStep("get-device-nautobot", ["--hostname", "dup.domain.local"], environment: backend.environment)
        #expect(run.status == 1)
        #expect(run.stderrLines.count == 1)
        #expect(run.stderr.contains("in DC1") && run.stderr.contains("in DC2"))
    }

    @Test(arguments: NautobotBackend.available)
    func apiCallReturnsTheBody(backend: NautobotBackend) throws {
        let run = try runStep("nautobot-api", ["--uri", "/dcim/devices/?name=host1.domain.local"], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        let result = try JSONValue(parsing: run.output("result") ?? "")
        #expect(result["count"]?.intValue == 1)
        #expect(result["results"]?.arrayValue?.first?["name"]?.stringValue == "host1.domain.local")
    }

    @Test(arguments: NautobotBackend.available)
    func allPagesAreGathered(backend: NautobotBackend) throws {
        // DC1 and DC2: the test inventory (CI's real Nautobot also holds the rack, in DC3).
        let run = try runStep(
            "nautobot-api", ["--uri", "/dcim/devices/?location=DC1&location=DC2&limit=3", "--all-pages"], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        let result = try JSONValue(parsing: run.output("result") ?? "")
        let names = Set(result["results"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        #expect(result["count"]?.intValue == 11)
        #expect(names.isSuperset(of: ["host1.domain.local", "a b&c", "x+y.domain.local", "dup.domain.local"]))
    }

    @Test(arguments: NautobotBackend.available)
    func nautobotErrorTextIsCarried(backend: NautobotBackend) throws {
        let unknownFilter = try runStep("nautobot-api", ["--uri", "/dcim/devices/?nosuchfilter=1"], environment: backend.environment)
        #expect(unknownFilter.status == 1)
        #expect(
            unknownFilter.stderrLines == [
                "nautobot-api: Nautobot answered HTTP 400 to GET /api/dcim/devices/: nosuchfilter: Unknown filter field"
            ])
        let missing = try runStep("nautobot-api", ["--uri", "/dcim/nosuchthing/"], environment: backend.environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("HTTP 404") && missing.stderr.contains("Not found."))
        // The flaw the steps avoid, seen through nautobot-api: a name no interface has is a 400.
        let legacy = try runStep(
            "nautobot-api", ["--uri", "/ipam/ip-addresses/?device=host1.domain.local&interfaces=iDRAC&interfaces=XCC"],
            environment: backend.environment)
        #expect(legacy.status == 1)
        #expect(legacy.stderr.contains("XCC is not one of the available choices"), "\(legacy)")
    }

    @Test func badCallsAreBadInput() throws {
        let backend = try SimulatedNautobot.shared()
        let cases: [[String]] = [
            ["--uri", "dcim/devices/"],
            ["--uri", "//evil.example/x"],
            ["--uri", "/dcim/../../admin/"],
            ["--uri", "/dcim/devices/?name=a b"],
            ["--method", "FETCH", "--uri", "/dcim/devices/"],
            ["--uri", "/dcim/devices/", "--body", "{}"],
            ["--method", "POST", "--uri", "/dcim/devices/", "--body", "{not json"],
            ["--method", "POST", "--uri", "/dcim/devices/", "--all-pages"],
        ]
        for arguments in cases {
            let run = try runStep("nautobot-api", arguments, environment: backend.environment)
            #expect(run.status == 64, "\(arguments): \(run)")
            #expect(run.stderrLines.count == 1, "\(arguments): \(run)")
        }
    }
}
