import JSON

/// A dcim.SoftwareImageFile as `/dcim/software-image-files/?device_types=ID&depth=2` answers it
/// (recorded from Nautobot 3.2.7, Tests/Fixtures/nautobot-3.2.7): the file, its checksum and URL,
/// and its software version with the version's platform and status embedded.
public struct NautobotSoftwareImageFile: Sendable, Equatable, Decodable {
    /// An object embedded at depth 2 by its name: a platform, a status.
    public struct Named: Sendable, Equatable, Decodable {
        public var id: String
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// The dcim.SoftwareVersion a file is an image of; unique per platform and version.
    public struct SoftwareVersion: Sendable, Equatable, Decodable {
        public var id: String
        public var version: String
        public var platform: Named
        public var status: Named

        public init(id: String, version: String, platform: Named, status: Named) {
            self.id = id
            self.version = version
            self.platform = platform
            self.status = status
        }
    }

    public var id: String
    public var fileName: String
    /// 3.2.7 answers `""` for a checksum, algorithm or URL never set, and `null` for a size.
    public var checksum: String
    public var algorithm: String
    public var size: Int?
    public var downloadURL: String
    public var isDefault: Bool
    public var softwareVersion: SoftwareVersion

    private enum CodingKeys: String, CodingKey {
        case id
        case fileName = "image_file_name"
        case checksum = "image_file_checksum"
        case algorithm = "hashing_algorithm"
        case size = "image_file_size"
        case downloadURL = "download_url"
        case isDefault = "default_image"
        case softwareVersion = "software_version"
    }

    public init(
        id: String, fileName: String, checksum: String, algorithm: String, size: Int?, downloadURL: String, isDefault: Bool,
        softwareVersion: SoftwareVersion
    ) {
        self.id = id
        self.fileName = fileName
        self.checksum = checksum
        self.algorithm = algorithm
        self.size = size
        self.downloadURL = downloadURL
        self.isDefault = isDefault
        self.softwareVersion = softwareVersion
    }
}
