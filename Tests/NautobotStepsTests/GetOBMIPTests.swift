import StepTesting
import Testing

/// `get-obm-ip` driven as a process against each Nautobot: the simulator, and the real one in CI.
@Suite(.stopsSimulators) struct GetOBMIPTests {
    @Test(arguments: NautobotBackend.available)
    func dellWithIDRACGivesTheBareAddress(backend: NautobotBackend) throws {
        let run = try runStep("get-obm-ip", ["--hostname", "host1.domain.local"], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "10.0.0.11\n")
        #expect(run.output("ip") == "10.0.0.11")
        #expect(!run.everything.contains(backend.token))
    }

    @Test(arguments: NautobotBackend.available)
    func hpeWithILOGivesItsAddress(backend: NautobotBackend) throws {
        let run = try runStep("get-obm-ip", [], environment: backend.environment.merging(["INPUT_HOSTNAME": "host2.domain.local"]) { $1 })
        #expect(run.status == 0, "\(run)")
        #expect(run.output("ip") == "10.0.0.12")
    }

    @Test(arguments: NautobotBackend.available)
    func namesThatNeedEncodingAreFound(backend: NautobotBackend) throws {
        for (name, ip) in [("a b&c", "10.0.0.41"), ("x+y.domain.local", "10.0.0.42")] {
            let run = try runStep("get-obm-ip", ["--hostname", name], environment: backend.environment)
            #expect(run.status == 0, "\(name): \(run)")
            #expect(run.output("ip") == ip)
        }
    }

    @Test(arguments: NautobotBackend.available)
    func theSingleIPv4IsChosenBesideAnIPv6(backend: NautobotBackend) throws {
        let run = try runStep("get-obm-ip", ["--hostname", "host5.domain.local"], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        #expect(run.output("ip") == "10.0.0.15")
    }

    @Test(arguments: NautobotBackend.available)
    func deviceWithoutBMCInterfaceFailsSayingSo(backend: NautobotBackend) throws {
        let run = try runStep("get-obm-ip", ["--hostname", "host3.domain.local"], environment: backend.environment)
        #expect(run.status == 1)
        #expect(
            run.stderrLines == [
                "get-obm-ip: device \"host3.domain.local\" has no interface named iDRAC or iLO in Nautobot (\(backend.url))"
            ])
        #expect(run.output("ip") == nil)
    }

    @Test(arguments: NautobotBackend.available)
    func bmcInterfaceWithoutAddressFailsSayingSo(backend: NautobotBackend) throws {
        let run = try runStep("get-obm-ip", ["--hostname", "host4.domain.local"], environment: backend.environment)
        #expect(run.status == 1)
        #expect(run.stderrLines.count == 1)
        #expect(run.stderr.contains("interface iDRAC of device \"host4.domain.local\" has no IP address"))
    }

    @Test(arguments: NautobotBackend.available)
    func severalIPv4AddressesAreNamedNotGuessed(backend: NautobotBackend) throws {
        let run = try runStep("get-obm-ip", ["--hostname", "host6.domain.local"], environment: backend.environment)
        #expect(run.status == 1)
        #expect(run.stderr.contains("10.0.0.16/24") && run.stderr.contains("10.0.0.26/24"), "\(run)")
        #expect(run.output("ip") == nil)
    }

    @Test(arguments: NautobotBackend.available)
    func unknownDeviceIsNotFound(backend: NautobotBackend) throws {
        let run = try runStep("get-obm-ip", ["--hostname", "nope.domain.local"], environment: backend.environment)
        #expect(run.status == 1)
        #expect(run.stderrLines == ["get-obm-ip: no device named \"nope.domain.local\" in Nautobot (\(backend.url))"])
    }

    @Test(arguments: NautobotBackend.available)
    func ambiguousNameNamesTheCandidates(backend: NautobotBackend) throws {
        let run = try runStep("get-obm-ip", ["--hostname", "dup.domain.local"], environment: backend.environment)
        #expect(run.status == 1)
        #expect(run.stderrLines.count == 1)
        #expect(run.stderr.contains("2 devices named \"dup.domain.local\""), "\(run)")
        #expect(run.stderr.contains("in DC1") && run.stderr.contains("in DC2"))
    }

    @Test(arguments: NautobotBackend.available)
    func otherInterfaceNamesCanBeAsked(backend: NautobotBackend) throws {
        // XCC exists on no interface at all: the legacy ip-addresses query would answer 400 here.
        let run = try runStep(
            "get-obm-ip", ["--hostname", "host1.domain.local", "--interface-names", "XCC, iDRAC"], environment: backend.environment)
        #expect(run.status == 0, "\(run)")
        #expect(run.output("ip") == "10.0.0.11")
        let eth = try runStep(
            "get-obm-ip", ["--hostname", "host3.domain.local"],
            environment: backend.environment.merging(["OBM_INTERFACE_NAMES": "eth0"]) { $1 })
        #expect(eth.output("ip") == "10.1.0.13", "\(eth)")
        // The parameter's INPUT_* variable wins over the step's own setting, as for every parameter.
        let input = try runStep(
            "get-obm-ip", ["--hostname", "host3.domain.local"],
            environment: backend.environment.merging(["INPUT_INTERFACE_NAMES": "eth0", "OBM_INTERFACE_NAMES": "iDRAC"]) { $1 })
        #expect(input.status == 0, "\(input)")
        #expect(input.output("ip") == "10.1.0.13", "\(input)")
    }

    @Test(arguments: NautobotBackend.available)
    func optionWinsOverEnvironment(backend: NautobotBackend) throws {
        let env = backend.environment.merging(["INPUT_HOSTNAME": "host2.domain.local"]) { $1 }
        let run = try runStep("get-obm-ip", ["--hostname", "host1.domain.local"], environment: env)
        #expect(run.output("ip") == "10.0.0.11")
    }
}

/// The real Nautobot must be there when CI says so: a missing one is a failure, not a skip.
@Test func realNautobotIsPresentWhenRequired() {
    if NautobotBackend.realIsRequired {
        #expect(NautobotBackend.real != nil, "REQUIRE_REAL_NAUTOBOT=1 but NAUTOBOT_REAL_URL/NAUTOBOT_REAL_TOKEN are not set")
        #expect(NautobotBackend.available.contains { $0.kind == .real })
    }
    #expect(NautobotBackend.available.contains { $0.kind == .simulator })
}
