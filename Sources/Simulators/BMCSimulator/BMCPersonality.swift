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
            JSONMember("TaskService", ["@odata.id": "/redfish/v1/TaskService"]),
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

extension BMCPersonality {
    /// The UpdateService as each vendor lays it out (the iLO 5 recording, the Dell fixture, the
    /// DMTF mockup): SimpleUpdate protocols, push URIs.
    func updateService(enabled: Bool, simpleProtocols: [String]?) -> JSONValue {
        var simple: [JSONMember] = [JSONMember("target", "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate")]
        var members: [JSONMember] = [
            JSONMember("@odata.id", "/redfish/v1/UpdateService"), JSONMember("Id", "UpdateService"),
            JSONMember("ServiceEnabled", .bool(enabled)),
            JSONMember("FirmwareInventory", ["@odata.id": "/redfish/v1/UpdateService/FirmwareInventory"]),
        ]
        switch self {
        case .idrac9:
            simple.append(
                JSONMember(
                    "TransferProtocol@Redfish.AllowableValues",
                    .array((simpleProtocols ?? ["HTTP", "NFS", "CIFS", "TFTP", "HTTPS"]).map { .string($0) })))
            members.append(JSONMember("HttpPushUri", .string(pushPath)))
            members.append(JSONMember("MultipartHttpPushUri", "/redfish/v1/UpdateService/MultipartUpload"))
        case .ilo5:
            simple.append(
                JSONMember("TransferProtocol@Redfish.AllowableValues", .array((simpleProtocols ?? ["HTTP", "HTTPS"]).map { .string($0) })))
            members.append(JSONMember("HttpPushUri", .string(pushPath)))
        case .dmtf:
            simple.append(JSONMember("@Redfish.ActionInfo", "/redfish/v1/UpdateService/SimpleUpdateActionInfo"))
            members.append(JSONMember("HttpPushUri", .string(pushPath)))
        }
        members.append(JSONMember("Actions", .object([JSONMember("#UpdateService.SimpleUpdate", .object(simple))])))
        return .object(members)
    }

    func simpleUpdateActionInfo(simpleProtocols: [String]?) -> JSONValue {
        [
            "@odata.id": "/redfish/v1/UpdateService/SimpleUpdateActionInfo", "Id": "SimpleUpdateActionInfo",
            "Parameters": [
                ["Name": "ImageURI", "Required": true, "DataType": "String"],
                [
                    "Name": "TransferProtocol", "Required": false, "DataType": "String",
                    "AllowableValues": .array((simpleProtocols ?? ["FTP", "SFTP", "HTTP", "HTTPS", "SCP", "TFTP"]).map { .string($0) }),
                ],
            ],
        ]
    }

    var pushPath: String {
        switch self {
        case .idrac9: "/redfish/v1/UpdateService/FirmwareInventory"
        case .ilo5: "/cgi-bin/uploadFile"
        case .dmtf: "/FWUpdate"
        }
    }
}
