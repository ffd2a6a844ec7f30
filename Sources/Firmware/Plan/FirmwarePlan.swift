import JSON
import Redfish
import StepRuntime

/// A device's firmware plan (contract.md, "Firmware compliance steps"): per component, what it
/// runs, what its baseline says it should, and what to do about it; the verdict sums them up.
public struct FirmwarePlan: Sendable, Equatable, Decodable {
    /// The device as a whole.
    public enum Verdict: String, Sendable, Equatable, Decodable, CaseIterable {
        /// Every component with a baseline runs its target.
        case compliant
        /// At least one component with a baseline runs another version, older or newer.
        case outdated
        /// No component has a baseline: nothing says what the device should run.
        case noBaseline = "no-baseline"
        /// Nothing is known to differ, but at least one component's versions cannot be compared.
        case unknown
    }

    /// What to do with one component.
    public enum Action: String, Sendable, Equatable, Decodable, CaseIterable {
        case none
        case update
        /// BIOS, NIC and storage firmware: staged until the host reboots, not applied by these steps.
        case updateNeedsReboot = "update-needs-reboot"
        /// Only with `--allow-downgrade`.
        case downgrade
        case downgradeRefused = "downgrade-refused"
        case noBaseline = "no-baseline"
        case unknown

        /// Whether the component differs from its target in a known direction.
        var differs: Bool { [.update, .updateNeedsReboot, .downgrade, .downgradeRefused].contains(self) }

        /// Whether the plan hands on the image (the action installs it).
        var installs: Bool { [.update, .updateNeedsReboot, .downgrade].contains(self) }
    }

    /// The image a component's target comes from, as its software image file in Nautobot says.
    public struct Image: Sendable, Equatable, Decodable {
        /// nil when Nautobot has none (or one with credentials in it, which is not passed on).
        public var url: String?
        public var checksum: String?
        /// Nautobot's hashing algorithm name: `sha256`, `sha512`, `md5`, ...
        public var algorithm: String?
        public var size: Int?

        public init(url: String?, checksum: String?, algorithm: String?, size: Int?) {
            self.url = url
            self.checksum = checksum
            self.algorithm = algorithm
            self.size = size
        }

        var json: JSONValue {
            [
                "url": url.map { .string($0) } ?? .null, "checksum": checksum.map { .string($0) } ?? .null,
                "algorithm": algorithm.map { .string($0) } ?? .null, "size": size.map { .integer($0) } ?? .null,
            ]
        }
    }

    /// One component of the inventory, planned.
    public struct Component: Sendable, Equatable, Decodable {
        public var name: String
        public var kind: FirmwareKind
        /// The version the BMC reports (nil when it reports none).
        public var current: String?
        /// The baseline's version (nil without a baseline).
        public var target: String?
        public var action: Action
        /// The target's image when the action installs it, else nil.
        public var image: Image?

        public init(name: String, kind: FirmwareKind, current: String?, target: String?, action: Action, image: Image?) {
            self.name = name
            self.kind = kind
            self.current = current
            self.target = target
            self.action = action
            self.image = image
        }

        var json: JSONValue {
            [
                "name": .string(name), "kind": .string(kind.rawValue), "current": current.map { .string($0) } ?? .null,
                "target": target.map { .string($0) } ?? .null, "action": .string(action.rawValue), "image": image?.json ?? .null,
            ]
        }
    }

    public var hostname: String
    public var verdict: Verdict
    public var components: [Component]

    /// What the plan says of the BMC component, for a fleet's `when` (output `bmc-action`): its
    /// action; `none` when the BMC reports no BMC component; `unknown` when it reports several
    /// (obm-firmware-update refuses such a plan).
    public var bmcAction: String {
        let bmcs = components.filter { $0.kind == .bmc }
        if bmcs.isEmpty { return Action.none.rawValue }
        return bmcs.count == 1 ? bmcs[0].action.rawValue : Action.unknown.rawValue
    }

    public init(hostname: String, components: [Component]) {
        self.hostname = hostname
        self.components = components
        self.verdict = Self.verdict(of: components)
    }

    /// The rule the README states: no component with a baseline is `no-baseline`; any known
    /// difference is `outdated`; else any component that cannot be compared is `unknown`.
    static func verdict(of components: [Component]) -> Verdict {
        let planned = components.filter { $0.action != .noBaseline }
        if planned.isEmpty { return .noBaseline }
        if planned.contains(where: { $0.action.differs }) { return .outdated }
        if planned.contains(where: { $0.action == .unknown }) { return .unknown }
        return .compliant
    }

    /// firmware-plan's output handed to another step (`--plan`); bad input naming the first field
    /// missing or mistyped.
    public static func read(_ text: String, option: String) throws(StepError) -> FirmwarePlan {
        do {
            return try JSONValueDecoder().decode(FirmwarePlan.self, from: try JSONValue(parsing: Array(text.utf8)))
        } catch let error as DecodingError {
            throw .badInput("\(option) is not firmware-plan's output: \(error.fieldDescription)")
        } catch {
            throw .badInput("\(option) is not JSON: \(error)")
        }
    }

    /// The step's `plan` output, every key present.
    public var json: JSONValue {
        ["hostname": .string(hostname), "verdict": .string(verdict.rawValue), "components": .array(components.map(\.json))]
    }

    /// The one-line verdict: `host1: outdated (1 update, 2 none, 3 no-baseline)`, actions in the
    /// contract's order.
    public var summary: String {
        let counts = Action.allCases.compactMap { action -> String? in
            let count = components.filter { $0.action == action }.count
            return count == 0 ? nil : "\(count) \(action.rawValue)"
        }
        return "\(hostname): \(verdict.rawValue) (\(counts.isEmpty ? "no components" : counts.joined(separator: ", ")))"
    }
}
