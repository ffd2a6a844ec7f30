import HTTP
import JSON

/// The software image files of a device's device type: the material of its firmware baseline.
/// Two requests: the device by name (as every step finds it), then its device type's files with
/// their versions, platforms and statuses embedded (`depth=2`), every page.
public struct DeviceSoftwareImageFiles {
    /// The device, by what the write-back and the messages need.
    public struct Device: Sendable, Equatable, Decodable {
        /// A related object by its id.
        public struct Reference: Sendable, Equatable, Decodable { public var id: String }

        public var id: String
        public var name: String
        public var deviceType: Reference

        private enum CodingKeys: String, CodingKey {
            case id, name
            case deviceType = "device_type"
        }
    }

    public var device: Device
    public var files: [NautobotSoftwareImageFile]

    public static func of(hostname: String, client: NautobotClient) throws(NautobotError) -> DeviceSoftwareImageFiles {
        let found = try DeviceLookup(client: client).device(named: hostname)
        let device = try NautobotClient.decode(Device.self, from: found, what: "device \"\(hostname)\"")
        // `device_types` (plural) is 3.2.7's filter; `device_type` is refused as unknown.
        let files = try client.list(
            "/dcim/software-image-files/?" + URLText.query([("device_types", device.deviceType.id), ("depth", "2")]),
            as: NautobotSoftwareImageFile.self, what: "software image file")
        return DeviceSoftwareImageFiles(device: device, files: files)
    }
}
