import JSON

/// A dcim.Interface as `/dcim/interfaces/?…&exclude_m2m=false&depth=1` answers it (recorded from
/// Nautobot 3.2.7): what the BMC address lookup decides on. `device` is null for a module's
/// interface; `ip_addresses` is absent when m2m fields are excluded.
struct NautobotInterface: Decodable {
    /// A related object by its id (depth 0 or 1 alike).
    struct Reference: Decodable {
        var id: String
    }

    /// An `ip_addresses` entry: the address itself at depth 1, only a reference at depth 0 (a
    /// server or proxy that dropped `depth`); then the link table has to be asked.
    struct AddressEntry: Decodable {
        var address: NautobotIPAddress?

        private enum CodingKeys: String, CodingKey { case address, host }

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            let full = fields.contains(.address) || fields.contains(.host)
            address = full ? try NautobotIPAddress(from: decoder) : nil
        }
    }

    var id: String
    var name: String
    var device: Reference?
    var ipAddressCount: Int?
    var ipAddresses: [AddressEntry]?

    private enum CodingKeys: String, CodingKey {
        case id, name, device
        case ipAddressCount = "ip_address_count"
        case ipAddresses = "ip_addresses"
    }

    /// The embedded addresses, when every entry is one (nil: references only, or none sent).
    var embeddedAddresses: [NautobotIPAddress]? {
        guard let entries = ipAddresses else { return nil }
        let addresses = entries.compactMap(\.address)
        return addresses.count == entries.count ? addresses : nil
    }
}

/// An ipam.IPAddress at depth 1: `address` with its prefix length (`10.0.0.11/24`) and, since
/// Nautobot 2, `host` without it.
struct NautobotIPAddress: Decodable {
    var address: String
    var host: String?

    /// The bare address: `host`, else `address` up to its `/`.
    var bare: String { host ?? String(address.prefix { $0 != "/" }) }
}

/// One row of `/ipam/ip-address-to-interface/?interface=ID&depth=1`: the address linked.
struct NautobotAddressLink: Decodable {
    var ipAddress: NautobotIPAddress

    private enum CodingKeys: String, CodingKey { case ipAddress = "ip_address" }
}
