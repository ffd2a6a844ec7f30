import HTTP
import Redfish
import StepRuntime

/// What obm-firmware-update takes from a plan (`--plan`): the BMC component's image, the checksum
/// it must match, and the version the BMC must report afterwards.
public struct PlannedBMCImage: Sendable, Equatable {
    public var url: String
    /// nil only with `--allow-unverified`.
    public var checksum: BodyChecksum?
    public var size: Int?
    public var target: String
    public var current: String?

    /// What the plan asks of the BMC component.
    public enum Reading: Sendable, Equatable {
        case install(PlannedBMCImage)
        /// The BMC already runs its target: nothing to do.
        case upToDate(version: String)
    }

    /// The plan's one BMC component: `update` or `downgrade` installs its image, `none` is
    /// nothing to do, any other action is a failure saying what the plan says instead. An image
    /// without a sha256 or sha512 checksum is bad input unless `allowUnverified`.
    public static func read(_ plan: FirmwarePlan, allowUnverified: Bool) throws(StepError) -> Reading {
        let bmcs = plan.components.filter { $0.kind == .bmc }
        guard bmcs.count == 1, let bmc = bmcs.first else {
            throw .badInput("the plan for \(plan.hostname) has \(bmcs.count) BMC components; it must have exactly one")
        }
        let subject = "the plan for \(plan.hostname): \(bmc.name)"
        switch bmc.action {
        case .none:
            return .upToDate(version: bmc.current ?? bmc.target ?? "unknown")
        case .update, .downgrade:
            break
        case .updateNeedsReboot, .downgradeRefused, .noBaseline, .unknown:
            throw .failure("\(subject) is \(bmc.action.rawValue), not an update this step applies")
        }
        guard let target = bmc.target, let image = bmc.image else {
            throw .badInput("\(subject): \(bmc.action.rawValue) without a target image")
        }
        guard let url = image.url else { throw .badInput("\(subject): the target's image has no URL in Nautobot") }
        var checksum: BodyChecksum?
        if let algorithm = image.algorithm, BodyChecksum.Algorithm(rawValue: algorithm.lowercased()) != nil {
            guard let text = image.checksum, let parsed = BodyChecksum(algorithm: algorithm, hex: text) else {
                throw .badInput("\(subject): the image's \(algorithm) checksum on record is not a \(algorithm) digest in hexadecimal")
            }
            checksum = parsed
        } else if !allowUnverified {
            let named = image.algorithm.map { "its checksum is \($0)" } ?? "it has no checksum"
            throw .badInput(
                "\(subject): the image cannot be verified (\(named); sha256 or sha512 is needed); --allow-unverified installs it anyway")
        } else {
            Log.warning("\(subject): installing an image that is not verified (--allow-unverified)")
        }
        return .install(PlannedBMCImage(url: url, checksum: checksum, size: image.size, target: target, current: bmc.current))
    }

    /// Whether two version texts name the same release: by FirmwareVersion where both are
    /// understood (`2.72` and `2.72 Sep 04 2022` are), else only when the texts are equal.
    public static func same(_ one: String, _ other: String) -> Bool {
        guard let first = FirmwareVersion(one), let second = FirmwareVersion(other) else { return one == other }
        return first.compared(to: second) == .same
    }
}
