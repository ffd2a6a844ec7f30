import Foundation
import JSON
import Redfish
import StepTesting
import Testing

/// Firmware inventory members read as components, on the recorded iLO 5 and DMTF payloads, and on
/// iDRAC members shaped after Dell's documentation (no licensed recording of an iDRAC's
/// FirmwareInventory exists: these are labelled as such, not recorded).
@Suite struct FirmwareInventoryTests {
    func member(_ base: String, _ id: String) throws -> FirmwareComponent {
        let path = base + "/UpdateService/FirmwareInventory/" + id
        let json = try JSONValue(
            parsing: Array(try Data(contentsOf: URL(fileURLWithPath: RecordedPayloadTests.reference + "/" + path + "/index.json"))))
        return try FirmwareInventory.component(RedfishResource(path: json["@odata.id"]?.stringValue ?? "", json: json, etag: nil))
    }

    @Test func iLO5sMembersAsRecorded() throws {
        let base = "hpe-ilo5-dl325/mockups/DL325"
        let read = try (1...12).map { try member(base, String($0)) }
        #expect(read.map(\.kind) == [.bmc, .bios, .other, .cpld, .other, .other, .other, .other, .other, .nic, .nic, .other])
        #expect(
            read[0]
                == FirmwareComponent(
                    id: "1", name: "iLO 5", version: "2.46 May 11 2021", updateable: nil, kind: .bmc,
                    path: "/redfish/v1/UpdateService/FirmwareInventory/1"))
        #expect(read[5].name == "Redundant System ROM" && read[5].kind == .other, "the backup ROM is nothing to plan")
        #expect(read.allSatisfy { $0.updateable == nil }, "iLO 5 does not say")
        #expect(
            read[0].json.serialized
                == #"{"id":"1","name":"iLO 5","version":"2.46 May 11 2021","updateable":null,"kind":"bmc","path":"/redfish/v1/UpdateService/FirmwareInventory/1"}"#
        )
    }

    @Test func theDMTFMockupsMembersByTheirRelatedItems() throws {
        let base = "dmtf-public-rackmount1/mockups/public-rackmount1"
        #expect(try member(base, "BMC").kind == .bmc)
        #expect(try member(base, "BIOS").kind == .bios)
        #expect(try member(base, "SS").kind == .storage)
        let rot = try member(base, "AC-RoT0")
        #expect((rot.kind, rot.updateable, rot.version) == (.other, true, "1.11"))
    }

    /// Shaped after Dell's iDRAC9 Redfish documentation: `Installed-<component>-<version>` for what
    /// runs, `Previous-…` for the rollback copy; names only, no RelatedItem.
    @Test func iDRACMembersAsDellDocumentsThem() throws {
        func idrac(_ id: String, _ name: String, _ version: String) throws -> FirmwareComponent {
            try FirmwareInventory.component(
                RedfishResource(
                    path: "/redfish/v1/UpdateService/FirmwareInventory/\(id)",
                    json: ["Id": .string(id), "Name": .string(name), "Version": .string(version), "Updateable": true], etag: nil))
        }
        #expect(try idrac("Installed-25227-7.10.30.00", "Integrated Dell Remote Access Controller", "7.10.30.00").kind == .bmc)
        #expect(try idrac("Previous-25227-7.00.60.00", "Integrated Dell Remote Access Controller", "7.00.60.00").kind == .other)
        #expect(try idrac("Installed-159-1.6.5", "BIOS", "1.6.5").kind == .bios)
        #expect(try idrac("Installed-108255-22.31.6", "Broadcom Gigabit Ethernet BCM5720", "22.31.6").kind == .nic)
        #expect(try idrac("Installed-108283-26.39.10.02", "Mellanox ConnectX-6 Lx 2x 25G SFP28 OCP3.0 SFF", "26.39.10.02").kind == .nic)
        #expect(try idrac("Installed-109513-52.26.0-5179", "PERC H755 Front", "52.26.0-5179").kind == .storage)
        #expect(try idrac("Installed-27763-1.0.3", "System CPLD", "1.0.3").kind == .cpld)
        #expect(try idrac("Installed-101734-4301.49", "Dell 64 Bit uEFI Diagnostics", "4301.49").kind == .other)
    }

    @Test func aMemberWithoutItsNameIsNamedNotGuessed() {
        let resource = RedfishResource(
            path: "/redfish/v1/UpdateService/FirmwareInventory/7", json: ["Id": "7", "Version": "1.0"], etag: nil)
        #expect(
            throws: RedfishError.unexpected(
                "the BMC's firmware inventory member at /redfish/v1/UpdateService/FirmwareInventory/7 cannot be read: Name is missing")
        ) { try FirmwareInventory.component(resource) }
    }
}

/// The inventory read through a simulated BMC over TLS, signed in as a step signs in: every
/// personality's members in order, and iDRAC's rollback copy once an update replaced its firmware.
@Suite(.stopsSimulators) struct FirmwareInventoryReadTests {
    func read(_ bmc: SimulatedBMC) throws -> [FirmwareComponent] {
        let client = try RedfishClient(endpoint: try RedfishEndpoint.from(host: bmc.host, environment: ["OBM_CA_FILE": bmc.caFile]))
        let root = try ServiceRoot.read(client)
        let login = try RedfishLogin(client: client, root: root)
        guard case .accepted(let session) = try login.attempt(user: "root", password: "Inventory-Passw0rd") else {
            throw TestFailure("the simulator refused the login")
        }
        return try login.with(session) { signed in try FirmwareInventory.read(signed, root: root) }
    }

    @Test(arguments: ["idrac9", "ilo5", "dmtf"])
    func everyPersonalityListsItsComponents(personality: String) throws {
        let bmc = try SimulatedBMC.start(personality: personality, accounts: ["root:Inventory-Passw0rd"])
        let components = try read(bmc)
        let bmcComponent = try #require(components.first)
        #expect(bmcComponent.kind == .bmc && bmcComponent.version == "7.00.60.00", "\(bmcComponent)")
        switch personality {
        case "idrac9":
            #expect(components.map(\.kind) == [.bmc, .bios, .nic, .storage, .cpld])
            #expect(bmcComponent.id == "Installed-25227-7.00.60.00" && bmcComponent.updateable == true)
        case "ilo5":
            #expect(components.count == 12 && components[1].version == "A43 v2.52 (10/29/2021)" && components[1].kind == .bios)
            #expect(components.allSatisfy { $0.updateable == nil })
        default:
            #expect(components.map(\.kind) == [.bmc, .bios, .storage, .other])
        }
        #expect(try bmc.state().sessions == 0, "the session was ended")
    }

    @Test func iDRACKeepsTheReplacedFirmwareAsARollbackCopy() throws {
        let bmc = try SimulatedBMC.start(personality: "idrac9", accounts: ["root:Inventory-Passw0rd"])
        let files = try SimulatedFiles.start()
        let image = try files.image("idrac-7.10.30.00.bin", bytes: 4096)
        let update = try runStep(
            "obm-firmware-update", ["--host", bmc.host, "--firmware-url", image.url, "--poll-interval", "0.1"],
            environment: bmc.environment(password: "Inventory-Passw0rd"))
        #expect(update.status == 0, "\(update)")
        let components = try read(bmc)
        #expect(
            components.prefix(2).map(\.id) == ["Installed-25227-7.10.30.00", "Previous-25227-7.00.60.00"],
            "the running firmware's id carries its version; the replaced one is a rollback copy")
        #expect(components.prefix(2).map(\.kind) == [.bmc, .other])
    }
}
