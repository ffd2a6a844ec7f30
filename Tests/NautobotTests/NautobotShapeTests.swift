import Foundation
import JSON
import StepTesting
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

/// Software image files read as the baseline reads them, from what a real Nautobot 3.2.7
/// answered (Tests/Fixtures/nautobot-3.2.7).
@Suite struct NautobotSoftwareShapeTests {
    func recorded(_ name: String) throws -> [JSONValue] {
        let text = try String(contentsOfFile: BuiltProducts.packageRoot + "/Tests/Fixtures/nautobot-3.2.7/" + name, encoding: .utf8)
        return try #require(try JSONValue(parsing: text)["results"]?.arrayValue)
    }

    @Test func aFileAtDepthTwoCarriesItsVersionPlatformAndStatus() throws {
        let results = try recorded("software-image-files-of-device-type-depth2.json")
        let file = try NautobotClient.decode(NautobotSoftwareImageFile.self, from: try #require(results.first), what: "software image file")
        #expect(file.fileName == "iDRAC-with-Lifecycle-Controller_Firmware_7.10.30.00.d9")
        #expect(file.checksum == "abc" && file.algorithm == "sha256" && file.size == 1234 && !file.isDefault)
        #expect(file.downloadURL == "https://images.example/idrac-7.10.30.00.d9")
        #expect(file.softwareVersion.version == "7.10.30.00" && file.softwareVersion.status.name == "Active")
        #expect(file.softwareVersion.platform.name == "Integrated Dell Remote Access Controller")
    }

    @Test func aFileAtDepthZeroIsRefusedNamingTheMissingField() throws {
        let results = try recorded("software-image-files-of-device-type.json")
        #expect(throws: NautobotError.invalidAnswer("Nautobot's software image file cannot be read: software_version.version is missing")) {
            try NautobotClient.decode(NautobotSoftwareImageFile.self, from: try #require(results.first), what: "software image file")
        }
    }

    @Test func aBareFileHasEmptyTextsAndNoSize() throws {
        let text = try String(
            contentsOfFile: BuiltProducts.packageRoot + "/Tests/Fixtures/nautobot-3.2.7/software-image-file-created-bare.json",
            encoding: .utf8)
        let bare = try JSONValue(parsing: text)
        #expect(bare["image_file_checksum"] == .string("") && bare["download_url"] == .string("") && bare["image_file_size"] == .null)
        #expect(bare["hashing_algorithm"] == .string(""))
    }
}
