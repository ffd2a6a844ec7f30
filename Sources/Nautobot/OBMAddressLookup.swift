import HTTP
import JSON

/// Finds a device's BMC (out-of-band management) address in Nautobot.
///
/// Asks the interfaces endpoint by device and interface name, with `exclude_m2m=false&depth=1` so
/// each interface carries its addresses: one request on success. The older
/// `/ipam/ip-addresses/?device=X&interfaces=iDRAC&interfaces=iLO` is avoided on purpose: Nautobot
/// validates `interfaces=` against every interface in the database and answers 400 on a site
/// where no interface anywhere is named, say, iLO.
public struct OBMAddressLookup {
    public static let defaultInterfaceNames = ["iDRAC", "iLO"]

    let client: NautobotClient

    public init(client: NautobotClient) {
        self.client = client
    }

    /// The bare address (`10.0.0.11`, no prefix length) of the device's BMC interface.
    public func address(of hostname: String, interfaceNames: [String] = OBMAddressLookup.defaultInterfaceNames) throws(NautobotError)
        -> String
    {
        try DeviceLookup.validate(hostname: hostname)
        guard !interfaceNames.isEmpty else { throw .setting("no interface names to look for (--interface-names)") }
        var query = [("device", hostname)]
        query += interfaceNames.map { ("name", $0) }
        query += [("exclude_m2m", "false"), ("depth", "1")]
        let interfaces: [NautobotInterface]
        do {
            interfaces = try client.list("/dcim/interfaces/?" + URLText.query(query), as: NautobotInterface.self, what: "interface")
        } catch .rejected(status: 400, let detail, let request) {
            // Nautobot validates `device=` on this endpoint: an unknown name is a 400, not an
            // empty list. Say "no device named ..." as get-device-nautobot would.
            _ = try DeviceLookup(client: client).device(named: hostname)
            throw .rejected(status: 400, detail: detail, request: request)
        }
        let namesText = Self.orList(interfaceNames)

        let deviceIDs = Set(interfaces.compactMap { $0.device?.id })
        if interfaces.isEmpty || deviceIDs.count > 1 {
            // Tell apart "no such device", "several devices" and "device without that interface".
            _ = try DeviceLookup(client: client).device(named: hostname)
            throw .notFound("device \"\(hostname)\" has no interface named \(namesText) in Nautobot (\(client.settings.url))")
        }

        var found: [(interface: String, host: String, address: String)] = []
        for interface in interfaces {
            for ip in try addresses(of: interface) {
                let host = ip.bare
                guard IPAddressText.isIPv4(host) || IPAddressText.isIPv6(host) else {
                    throw .invalidAnswer(
                        "Nautobot gave \"\(host)\" as an address of \(interface.name) on \"\(hostname)\", which is not an IP address")
                }
                found.append((interface.name, host, ip.address))
            }
        }
        guard !found.isEmpty else {
            let names = Self.orList(interfaces.map(\.name))
            throw .notFound("interface \(names) of device \"\(hostname)\" has no IP address in Nautobot (\(client.settings.url))")
        }
        if found.count == 1 { return found[0].host }
        let ipv4 = found.filter { IPAddressText.isIPv4($0.host) }
        if ipv4.count == 1 { return ipv4[0].host }
        let listed = found.map { "\($0.interface) \($0.address)" }.joined(separator: ", ")
        throw .ambiguous("device \"\(hostname)\" has several BMC addresses in Nautobot, cannot choose: \(listed)")
    }

    /// The interface's IP address objects. Nautobot omits them when m2m fields are excluded
    /// (a server or proxy that drops `exclude_m2m`); then the link table gives them.
    func addresses(of interface: NautobotInterface) throws(NautobotError) -> [NautobotIPAddress] {
        if let embedded = interface.embeddedAddresses { return embedded }
        if interface.ipAddressCount == 0 { return [] }
        let links = try client.list(
            "/ipam/ip-address-to-interface/?" + URLText.query([("interface", interface.id), ("depth", "1")]), as: NautobotAddressLink.self,
            what: "IP address link")
        return links.map(\.ipAddress)
    }

    /// The names from a comma-separated setting; the defaults when it is unset or empty.
    public static func interfaceNames(from text: String?) -> [String] {
        let names = (text ?? "").split(separator: ",").map { String($0).trimmedWhitespace }.filter { !$0.isEmpty }
        return names.isEmpty ? defaultInterfaceNames : names
    }

    static func orList(_ names: [String]) -> String {
        switch names.count {
        case 0: ""
        case 1: names[0]
        default: names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        }
    }
}
