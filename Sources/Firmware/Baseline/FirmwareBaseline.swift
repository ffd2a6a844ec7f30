import HTTP
import Nautobot
import Redfish

/// What a device should run, per platform (contract.md): among its device type's software image
/// files, for each platform, the highest version by `FirmwareVersion` whose software version has
/// status Active, with that version's image. A component is matched to the platform whose name is
/// the component's name as the BMC gives it (the README's rule, the same everywhere).
public struct FirmwareBaseline: Sendable {
    /// One platform's target, or why it has none to plan by.
    public enum Target: Sendable, Equatable {
        case version(String, image: FirmwarePlan.Image)
        /// The platform has image files, none of an Active version.
        case noActiveVersion
        /// The Active versions cannot be ranked, or the target's image is ambiguous: said why.
        case unusable(String)
    }

    /// By platform name.
    public let targets: [String: Target]
    /// What an operator should fix in Nautobot, found while reading the files (never a URL's
    /// credentials).
    public let warnings: [String]

    public init(files: [NautobotSoftwareImageFile]) {
        var targets: [String: Target] = [:]
        var warnings: [String] = []
        let platforms = Dictionary(grouping: files, by: \.softwareVersion.platform.name)
        for (platform, platformFiles) in platforms {
            let (target, warning) = Self.target(platform: platform, files: platformFiles)
            targets[platform] = target
            warnings += warning.map { [$0] } ?? []
        }
        self.targets = targets
        self.warnings = warnings.sorted()
    }

    /// Whether the device type has no software image files at all.
    public var isEmpty: Bool { targets.isEmpty }

    /// The target of a component: its platform's, by the component's name.
    public func target(for component: FirmwareComponent) -> Target? { targets[component.name] }

    static func target(platform: String, files: [NautobotSoftwareImageFile]) -> (Target, String?) {
        let active = files.filter { $0.softwareVersion.status.name == "Active" }
        guard !active.isEmpty else { return (.noActiveVersion, nil) }
        var highest: (version: FirmwareVersion, text: String)?
        for text in Set(active.map(\.softwareVersion.version)).sorted() {
            guard let version = FirmwareVersion(text) else {
                return unusable("platform \"\(platform)\": Active version \"\(text)\" is in no form the plan compares")
            }
            guard let best = highest else {
                highest = (version, text)
                continue
            }
            switch version.compared(to: best.version) {
            case nil:
                return unusable("platform \"\(platform)\": Active versions \"\(best.text)\" and \"\(text)\" cannot be compared")
            case .newer: highest = (version, text)
            case .older, .same: break
            }
        }
        guard let highest else { return (.noActiveVersion, nil) }
        let candidates = active.filter { $0.softwareVersion.version == highest.text }
        let defaults = candidates.filter(\.isDefault)
        guard let file = candidates.count == 1 ? candidates.first : (defaults.count == 1 ? defaults.first : nil) else {
            return unusable(
                "platform \"\(platform)\" version \(highest.text): \(candidates.count) image files and \(defaults.count) marked default; mark one default"
            )
        }
        var warning: String?
        var url: String? = file.downloadURL.isEmpty ? nil : file.downloadURL
        if let given = url, URLText.carriesCredentials(given) {
            url = nil
            warning =
                "image file \"\(file.fileName)\" of \(platform) \(highest.text): its download URL carries credentials; not passed on (\(URLText.printable(given)))"
        }
        let image = FirmwarePlan.Image(
            url: url, checksum: file.checksum.isEmpty ? nil : file.checksum, algorithm: file.algorithm.isEmpty ? nil : file.algorithm,
            size: file.size)
        return (.version(highest.text, image: image), warning)
    }

    private static func unusable(_ why: String) -> (Target, String?) { (.unusable(why), why) }
}
