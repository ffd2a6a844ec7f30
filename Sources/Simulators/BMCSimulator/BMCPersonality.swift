import JSON

/// Which BMC the simulator plays: the vendor's service root, account collection shape and
/// failed-login behaviour.
public enum BMCPersonality: String, Sendable, CaseIterable {
    /// Dell iDRAC 9: 16 account slots (unused ones with UserName ""), AccountService reports
    /// zeros, the source address is blocked after 3 failures within a window.
    case idrac9
    /// HPE iLO 5: accounts 1..n, no lockout properties, failed logins must be spaced.
    case ilo5
    /// The DMTF reference: lockout properties in the AccountService, enforced per account.
    case dmtf

    var managerID: String {
        switch self {
        case .idrac9: "iDRAC.Embedded.1"
        case .ilo5: "1"
        case .dmtf: "BMC"
        }
    }

    func serviceRoot(sessions: Bool) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("@odata.id", "/redfish/v1"), JSONMember("@odata.type", "#ServiceRoot.v1_6_0.ServiceRoot"),
            JSONMember("Id", "RootService"), JSONMember("Name", "Root Service"), JSONMember("RedfishVersion", "1.6.0"),
            JSONMember("AccountService", ["@odata.id": "/redfish/v1/AccountService"]),
            JSONMember("Managers", ["@odata.id": "/redfish/v1/Managers"]),
            JSONMember("UpdateService", ["@odata.id": "/redfish/v1/UpdateService"]),
        ]
        if sessions {
            members.append(JSONMember("SessionService", ["@odata.id": "/redfish/v1/SessionService"]))
            members.append(JSONMember("Links", ["Sessions": ["@odata.id": "/redfish/v1/SessionService/Sessions"]]))
        }
        switch self {
        case .idrac9:
            members += [
                JSONMember("Vendor", "Dell"), JSONMember("Product", "Integrated Dell Remote Access Controller"),
                JSONMember(
                    "Oem", ["Dell": ["@odata.type": "#DellServiceRoot.v1_0_0.DellServiceRoot", "IsBranded": 0, "ServiceTag": "SIM0001"]]),
            ]
        case .ilo5:
            members += [
                JSONMember("Vendor", "HPE"), JSONMember("Product", "ProLiant DL325 Gen10 Plus"),
                JSONMember("Oem", ["Hpe": ["Manager": [["ManagerType": "iLO 5", "ManagerFirmwareVersion": "2.46"]]]]),
            ]
        case .dmtf:
            break
        }
        return .object(members)
    }

    /// Account slot ids as the vendor lays them out.
    func slotIDs(accounts: Int) -> [String] {
        switch self {
        case .idrac9: (1...16).map(String.init)
        case .ilo5, .dmtf: (1...max(accounts, 1)).map(String.init)
        }
    }
}
