/// The BMC's own firmware version: its first Manager's FirmwareVersion, reached by links.
public enum ManagerFirmware {
    /// Nil when it cannot be read now (a rebooting BMC, a session it forgot).
    public static func version(_ root: ServiceRoot, _ client: RedfishClient) -> String? {
        guard let managers = root.managersPath, let first = (try? client.get(managers))?.members.first else { return nil }
        return (try? client.get(first))?.json["FirmwareVersion"]?.stringValue
    }
}
