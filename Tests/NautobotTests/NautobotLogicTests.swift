import Nautobot
import StepTesting
import Testing

@Suite struct IPAddressTextTests {
    @Test func ipv4() {
        for good in ["10.0.0.11", "0.0.0.0", "255.255.255.255"] { #expect(IPAddressText.isIPv4(good), "\(good)") }
        for bad in ["10.0.0", "10.0.0.256", "10.0.0.011", "10.0.0.1/24", "a.b.c.d", "", "1.2.3.4.5", " 1.2.3.4"] {
            #expect(!IPAddressText.isIPv4(bad), "\(bad)")
        }
    }

    @Test func ipv6() {
        for good in ["2001:db8::15", "::1", "::", "fe80::1:2:3:4", "2001:db8:0:0:0:0:0:1", "::ffff:10.0.0.1"] {
            #expect(IPAddressText.isIPv6(good), "\(good)")
        }
        for bad in ["2001:db8::15::1", "12345::", "2001:db8:0:0:0:0:0:0:1", "10.0.0.1", "g::1", ":", "2001:db8::/64"] {
            #expect(!IPAddressText.isIPv6(bad), "\(bad)")
        }
    }
}

@Suite struct NautobotSettingsTests {
    @Test func settingsAreReadAndNormalised() throws {
        let settings = try NautobotSettings.fromEnvironment([
            "NAUTOBOT_URL": "https://nautobot.local/api/", "NAUTOBOT_TOKEN": "abc123def456\n",
        ])
        #expect(settings.url == "https://nautobot.local")
        #expect(settings.token == "abc123def456")
        #expect(settings.apiVersion == "2.0")
    }

    @Test func malformedSettingsAreBadInput() {
        let cases: [[String: String]] = [
            [:],
            ["NAUTOBOT_URL": "https://n.local"],
            ["NAUTOBOT_URL": "nautobot.local", "NAUTOBOT_TOKEN": "t0ken"],
            ["NAUTOBOT_URL": "file:///etc/passwd", "NAUTOBOT_TOKEN": "t0ken"],
            ["NAUTOBOT_URL": "https://n.local", "NAUTOBOT_TOKEN": "t0k\r\nX-Injected: 1"],
            ["NAUTOBOT_URL": "https://n.local", "NAUTOBOT_TOKEN": "t0ken", "NAUTOBOT_API_VERSION": "latest"],
        ]
        for env in cases {
            do {
                _ = try NautobotSettings.fromEnvironment(env)
                Issue.record("accepted \(env)")
            } catch {
                #expect(error.exitStatus == .badInput)
            }
        }
    }
}

@Suite struct NautobotCallTests {
    @Test func validCallsAreAccepted() throws {
        let call = try NautobotCall(method: "post", uri: "/dcim/devices/", body: #"{"name":"x"}"#, allPages: false)
        #expect(call.method == .post)
        #expect(call.body == Array(#"{"name":"x"}"#.utf8))
        _ = try NautobotCall(method: "GET", uri: "/dcim/devices/?name=a%20b%26c", body: nil, allPages: true)
    }

    @Test func interfaceNamesComeFromTheSetting() {
        #expect(OBMAddressLookup.interfaceNames(from: nil) == ["iDRAC", "iLO"])
        #expect(OBMAddressLookup.interfaceNames(from: " XCC , iDRAC ,,") == ["XCC", "iDRAC"])
        #expect(OBMAddressLookup.interfaceNames(from: " , ") == ["iDRAC", "iLO"])
    }
}

/// Where the token may go: https, or http only on this machine; never with credentials in the
/// URL; never to a path outside /api; never round a loop of next links.
@Suite struct NautobotTransportTests {
    func refusal(_ url: String) -> String? {
        do {
            _ = try NautobotSettings.fromEnvironment(["NAUTOBOT_URL": url, "NAUTOBOT_TOKEN": "t0ken-0123"])
            return nil
        } catch {
            #expect(error.exitStatus == .badInput)
            return error.message
        }
    }

    @Test func theTokenTravelsInClearOnlyOnThisMachine() {
        #expect(refusal("http://127.0.0.1:8080") == nil)
        #expect(refusal("http://localhost:8080") == nil)
        #expect(refusal("http://[::1]:8080") == nil)
        #expect(refusal("https://nautobot.example") == nil)
        #expect(
            refusal("http://nautobot.example")
                == "NAUTOBOT_URL http://nautobot.example is plain http to a host other than this machine: the token would travel in clear; use https"
        )
        #expect(refusal("http://127.evil.example") != nil, "a name that starts like a loopback address is not one")
    }

    @Test func credentialsInTheURLAreRefusedWithoutBeingRepeated() {
        let message = refusal("https://admin:S3cret-Pw@nautobot.example")
        #expect(
            message
                == "NAUTOBOT_URL carries a user name or password (user:password@host); the token goes in NAUTOBOT_TOKEN: remove them")
        #expect(message?.contains("S3cret-Pw") == false)
    }

    @Test func aTokenTooShortToMaskIsRefusedByTheSharedRule() {
        do {
            _ = try NautobotSettings.fromEnvironment(["NAUTOBOT_URL": "https://nautobot.example", "NAUTOBOT_TOKEN": "abc"])
            Issue.record("a 3-character token was accepted")
        } catch {
            #expect(error.exitStatus == .badInput)
            #expect(error.message == "NAUTOBOT_TOKEN is shorter than 4 characters, too short to be kept out of logs; refused")
        }
    }

    @Test func percentEncodedDotSegmentsAreDotSegments() {
        for uri in ["/.%2e/admin/", "/%2E%2e/x/", "/dcim/%2e/devices/", "/dcim/../users/"] {
            do {
                _ = try NautobotCall(method: "GET", uri: uri, body: nil, allPages: false)
                Issue.record("accepted \(uri)")
            } catch {
                #expect(error.message == "uri must not contain . or .. segments: it stays under /api")
            }
        }
    }

    @Test func aNextLinkBackToAReadPageIsAnError() throws {
        let looping = try ScriptedSocketServer { _, path, _ in
            let next = path.contains("offset=50") ? "/api/dcim/devices/?limit=50" : "/api/dcim/devices/?limit=50&offset=50"
            return .respond(
                status: 200, headers: [("Content-Type", "application/json")],
                body: #"{"count": 100, "next": "{{base}}\#(next)", "results": [{"name": "a"}]}"#)
        }
        defer { looping.stop() }
        let client = try NautobotClient(
            settings: try NautobotSettings.fromEnvironment(["NAUTOBOT_URL": looping.baseURL, "NAUTOBOT_TOKEN": "t0ken-0123"]))
        do throws(NautobotError) {
            _ = try client.list("/dcim/devices/?limit=50")
            Issue.record("a looping next link was followed to the end")
        } catch {
            #expect(error.exitStatus == .failure)
            #expect(error.message.contains("leads back to a page already read"), "\(error.message)")
        }
        #expect(looping.requests.count == 2, "two pages read, the third would be the first again")
    }
}
