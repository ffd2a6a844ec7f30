import JSON
import Testing

@testable import Nautobot

/// Interfaces and addresses read as the types the BMC lookup decides on, on the shapes real
/// Nautobot 3.2.7 answered (trimmed from its `/dcim/interfaces/?…&exclude_m2m=false&depth=1`).
@Suite struct NautobotShapeTests {
    static let depth1 = #"""
        {"id": "dc444658-9699-435b-8df3-bd34bafe78e4", "object_type": "dcim.interface", "name": "iDRAC", "ip_address_count": 1,
         "device": {"id": "2f761293-9629-4243-8991-addbdfd14e04", "object_type": "dcim.device", "display": "host1.domain.local"},
         "module": null,
         "ip_addresses": [{"id": "c7ca3613-c1bc-4f64-b554-c29e6e9d745f", "object_type": "ipam.ipaddress",
                           "address": "10.0.0.11/24", "host": "10.0.0.11", "mask_length": 24}]}
        """#

    func interface(_ text: String) throws -> NautobotInterface {
        try JSONValueDecoder().decode(NautobotInterface.self, from: try JSONValue(parsing: text))
    }

    func problem(_ text: String) -> String? {
        do {
            _ = try interface(text)
            return nil
        } catch let error as DecodingError {
            return error.fieldDescription
        } catch {
            return "\(error)"
        }
    }

    @Test func anInterfaceAtDepthOneCarriesItsAddresses() throws {
        let read = try interface(Self.depth1)
        #expect(read.name == "iDRAC" && read.device?.id == "2f761293-9629-4243-8991-addbdfd14e04" && read.ipAddressCount == 1)
        #expect(read.embeddedAddresses?.map(\.bare) == ["10.0.0.11"])
        #expect(read.embeddedAddresses?.map(\.address) == ["10.0.0.11/24"])
    }

    @Test func referencesOnlySendTheLookupToTheLinkTable() throws {
        let read = try interface(
            #"{"id": "i1", "name": "iLO", "device": null, "ip_addresses": [{"id": "a1", "object_type": "ipam.ipaddress", "url": "http://x/"}]}"#
        )
        #expect(read.embeddedAddresses == nil && read.device == nil)
        #expect(try interface(#"{"id": "i1", "name": "iLO"}"#).embeddedAddresses == nil)
        let link = try JSONValueDecoder().decode(
            NautobotAddressLink.self, from: try JSONValue(parsing: #"{"ip_address": {"address": "2001:db8::11/64"}}"#))
        #expect(link.ipAddress.bare == "2001:db8::11", "no host field: the address up to its prefix length")
    }

    @Test func whatTheLookupNeedsIsNamedWhenMissingOrMistyped() {
        #expect(problem(#"{"id": "i1"}"#) == "name is missing")
        #expect(problem(#"{"id": "i1", "name": "iDRAC", "ip_addresses": [{"host": "10.0.0.11"}]}"#) == "ip_addresses[0].address is missing")
        #expect(problem(#"{"id": "i1", "name": "iDRAC", "ip_addresses": [{"address": 10}]}"#) == "ip_addresses[0].address is not a string")
        #expect(problem(#"{"id": "i1", "name": "iDRAC", "ip_address_count": "1"}"#) == "ip_address_count is not a number")
    }
}
