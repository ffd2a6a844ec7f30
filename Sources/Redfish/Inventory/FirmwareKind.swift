/// What a firmware component is, as the compliance steps plan by it: the BMC itself, the host's
/// BIOS, a NIC, a storage controller, programmable logic, or anything else. Rollback copies (iDRAC's
/// `Previous-` members, HPE's `SystemRomBackup`) are `other`: nothing plans or flashes them, and
/// counting them would show every updated host as outdated.
public enum FirmwareKind: String, Sendable, CaseIterable, Decodable {
    case bmc
    case bios
    case nic
    case storage
    case cpld
    case other

    /// From what the BMC says, most standard first: the DMTF `RelatedItem` links (the Manager, the
    /// System or its Bios, a NetworkAdapter, Storage), then HPE's machine-readable `Description`
    /// (`SystemBMC`, `SystemRomActive`, ...), then the component's name (iDRAC's members carry only
    /// that). A name that fits nothing is `other`, never a guess from a number.
    public static func of(id: String, name: String, description: String?, relatedItems: [String]) -> FirmwareKind {
        if FirmwareComponent.isSpareCopy(id: id) || description == "SystemRomBackup" { return .other }
        for link in relatedItems {
            if let kind = fromLink(link) { return kind }
        }
        if let description, let kind = hpeDescriptions[description] { return kind }
        return fromName(name)
    }

    static func fromLink(_ path: String) -> FirmwareKind? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 4, parts[0] == "redfish", parts[1] == "v1" else { return nil }
        if parts[2] == "Managers" { return .bmc }
        if parts.contains("NetworkAdapters") || parts.contains("NetworkInterfaces") { return .nic }
        if parts.contains("Storage") || parts.contains("SimpleStorage") || parts.contains("Drives") { return .storage }
        // The System itself (as the DMTF mockup links its BIOS), or its Bios resource.
        if parts[2] == "Systems" && (parts.count == 4 || parts.last == "Bios") { return .bios }
        return nil
    }

    /// HPE iLO's `Description` values for the components the plan knows (recorded from an iLO 5).
    static let hpeDescriptions: [String: FirmwareKind] = [
        "SystemBMC": .bmc, "SystemRomActive": .bios, "SystemProgrammableLogicDevice": .cpld,
    ]

    static func fromName(_ name: String) -> FirmwareKind {
        let words = name.lowercased()
        func has(_ any: [String]) -> Bool { any.contains { words.contains($0) } }
        if has(["idrac", "ilo ", "integrated dell remote access controller", "bmc firmware", "baseboard management"]) || words == "ilo" {
            return .bmc
        }
        if has(["bios", "system rom"]) { return .bios }
        if has(["cpld", "programmable logic"]) { return .cpld }
        if has(["raid", "perc", "smart array", "storage", "hba", "nvme", "boss"]) { return .storage }
        if has(["ethernet", "gbe", "network", " nic", "nic ", "connectx", "fastlinq", "netxtreme"]) || words.hasSuffix("nic") {
            return .nic
        }
        return .other
    }
}
