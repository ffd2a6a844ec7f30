import Nautobot
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
