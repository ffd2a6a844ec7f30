import JSON

extension BMCPersonality {
    /// `UpdateService/FirmwareInventory` as each vendor lays it out, the BMC's own member carrying
    /// the version the simulated updates change: iLO 5 as recorded from a DL325 (ids 1–12, no
    /// Updateable, a machine-readable Description), the DMTF mockup's members (RelatedItem links),
    /// and iDRAC 9 shaped after Dell's documentation (no licensed recording exists):
    /// `Installed-<component>-<version>`, and `Previous-…` for the rollback copy once an update
    /// replaced it.
    func firmwareInventory(bmcVersion: String, previousBMCVersion: String?) -> [JSONValue] {
        let base = "/redfish/v1/UpdateService/FirmwareInventory/"
        func member(_ id: String, _ name: String, _ version: String, _ extra: [JSONMember] = []) -> JSONValue {
            .object(
                [
                    JSONMember("@odata.id", .string(base + id)), JSONMember("@odata.type", "#SoftwareInventory.v1_2_0.SoftwareInventory"),
                    JSONMember("Id", .string(id)), JSONMember("Name", .string(name)), JSONMember("Version", .string(version)),
                    JSONMember("Status", ["State": "Enabled", "Health": "OK"]),
                ] + extra)
        }
        switch self {
        case .idrac9:
            let updateable = [JSONMember("Updateable", true)]
            var members = [
                member("Installed-25227-\(bmcVersion)", "Integrated Dell Remote Access Controller", bmcVersion, updateable),
                member("Installed-159-1.6.5", "BIOS", "1.6.5", updateable),
                member("Installed-108255-22.31.6", "Broadcom Gigabit Ethernet BCM5720", "22.31.6", updateable),
                member("Installed-109513-52.26.0-5179", "PERC H755 Front", "52.26.0-5179", updateable),
                member("Installed-27763-1.0.3", "System CPLD", "1.0.3", updateable),
            ]
            if let previousBMCVersion {
                members.insert(
                    member(
                        "Previous-25227-\(previousBMCVersion)", "Integrated Dell Remote Access Controller", previousBMCVersion, updateable),
                    at: 1)
            }
            return members
        case .ilo5:
            func hpe(_ description: String) -> [JSONMember] { [JSONMember("Description", .string(description))] }
            return [
                member("1", "iLO 5", bmcVersion, hpe("SystemBMC")),
                member("2", "System ROM", "A43 v2.52 (10/29/2021)", hpe("SystemRomActive")),
                member("3", "Intelligent Platform Abstraction Data", "9.1.0 Build 36", hpe("PlatformDefinitionTable")),
                member("4", "System Programmable Logic Device", "0x0D", hpe("SystemProgrammableLogicDevice")),
                member("5", "Power Management Controller Firmware", "1.0.7", hpe("PowerManagementController")),
                member("6", "Redundant System ROM", "A43 v2.40 (02/23/2021)", hpe("SystemRomBackup")),
                member("7", "Intelligent Provisioning", "3.40.192", hpe("Intelligent Provisioning")),
                member("8", "Power Management Controller FW Bootloader", "1.1", hpe("PowerManagementControllerBootloader")),
                member("9", "TPM Firmware", "73.64", hpe("TrustedPlatformModule20")),
                member(
                    "10", "Marvell FastLinQ 41000 Series - 2P 25GbE SFP28 QL41232HLCU-HC MD2 Adapter - NIC", "08.50.78",
                    hpe("1077807010770074")),
                member("11", "Marvell 2P 25GbE SFP28 QL41232HQCU-HC OCP3 Adapter", "08.50.78", hpe("1077807010770073")),
                member("12", "Embedded Video Controller", "2.5", hpe("102b0538159000e4")),
            ]
        case .dmtf:
            func related(_ path: String) -> [JSONMember] {
                [JSONMember("Updateable", true), JSONMember("RelatedItem", [["@odata.id": .string(path)]])]
            }
            return [
                member("BMC", "Contoso BMC Firmware", bmcVersion, related("/redfish/v1/Managers/BMC")),
                member("BIOS", "Contoso BIOS Firmware", "P79 v1.45", related("/redfish/v1/Systems/437XR1138R2")),
                member("SS", "Contoso Simple Storage Firmware", "2.50", related("/redfish/v1/Systems/437XR1138R2/SimpleStorage/1")),
                member("AC-RoT0", "AC-RoT0 firmware", "1.11", [JSONMember("Updateable", true)]),
            ]
        }
    }
}
