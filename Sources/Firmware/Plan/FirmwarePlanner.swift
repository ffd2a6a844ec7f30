import Redfish

/// Plans each component of an inventory against a baseline (contract.md): which way its version
/// differs from the target, and what that asks for.
public enum FirmwarePlanner {
    /// Kinds whose update is staged until the host reboots.
    static let stagedKinds: Set<FirmwareKind> = [.bios, .nic, .storage]

    /// Rollback and staged copies (iDRAC's `Previous-` and `Available-` members) are left out:
    /// they are not what runs.
    public static func plan(
        hostname: String, inventory: [FirmwareComponent], baseline: FirmwareBaseline, allowDowngrade: Bool
    ) -> FirmwarePlan {
        let components = inventory.filter { !$0.isSpareCopy }.map { component in
            planned(component, target: baseline.target(for: component), allowDowngrade: allowDowngrade)
        }
        return FirmwarePlan(hostname: hostname, components: components)
    }

    static func planned(_ component: FirmwareComponent, target: FirmwareBaseline.Target?, allowDowngrade: Bool)
        -> FirmwarePlan.Component
    {
        func make(_ action: FirmwarePlan.Action, target: String? = nil, image: FirmwarePlan.Image? = nil) -> FirmwarePlan.Component {
            FirmwarePlan.Component(
                name: component.name, kind: component.kind, current: component.version, target: target, action: action,
                image: action.installs ? image : nil)
        }
        guard let target else { return make(.noBaseline) }
        switch target {
        case .noActiveVersion:
            return make(.noBaseline)
        case .unusable:
            return make(.unknown)
        case .version(let text, let image):
            guard let current = component.version.flatMap(FirmwareVersion.init), let wanted = FirmwareVersion(text),
                let comparison = current.compared(to: wanted)
            else { return make(.unknown, target: text) }
            switch comparison {
            case .same: return make(.none, target: text)
            case .older: return make(stagedKinds.contains(component.kind) ? .updateNeedsReboot : .update, target: text, image: image)
            case .newer: return make(allowDowngrade ? .downgrade : .downgradeRefused, target: text, image: image)
            }
        }
    }
}
