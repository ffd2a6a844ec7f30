import Redfish
import StepRuntime

/// What came of it: `status` is the final task state (the step's output) whenever it is known.
public struct FirmwareUpdateOutcome: Sendable {
    public var status: String
    public var succeeded: Bool
    public var method: UpdateMethod
    public var versionBefore: String?
    public var versionAfter: String?
    /// One line: what happened, with the BMC's own messages on failure.
    public var summary: String
    /// Exit 75 instead of 1 (a busy BMC).
    public var transient = false

    /// The step's last word: one log line when it succeeded, else the error to exit with (75 for
    /// a busy BMC, 1 otherwise), both with the versions before and after.
    public func conclude() throws(StepError) {
        let versions = "firmware \(versionBefore ?? "unknown") → \(versionAfter ?? "unknown")"
        guard succeeded else {
            throw StepError(transient ? .transient : .failure, "\(summary) (\(method.rawValue); \(versions))")
        }
        Log.info("\(summary); \(versions)")
    }
}

extension FirmwareUpdateOutcome {
    /// An update task already running: a second update now would be refused or queue behind it.
    static func busy(_ running: (path: String, state: String), method: UpdateMethod) -> Self {
        Self(
            status: running.state, succeeded: false, method: method, versionBefore: nil, versionAfter: nil,
            summary: "the BMC is busy: an update task is already \(running.state.lowercased()) (\(running.path)); try again when it ends",
            transient: true)
    }

    /// The BMC already runs the plan's target (a retry after the flash, or a stale plan).
    static func upToDate(version: String, method: UpdateMethod) -> Self {
        Self(
            status: "UpToDate", succeeded: true, method: method, versionBefore: version, versionAfter: version,
            summary: "the BMC already runs the plan's target \(version): nothing sent")
    }

    /// The inventory read after the update shows the plan's target.
    func confirmed(by version: String) -> Self {
        var outcome = self
        outcome.versionAfter = version
        outcome.summary += "; the firmware inventory shows the target \(version)"
        return outcome
    }

    /// The task said done, but the inventory does not show the target: never a success.
    func contradicted(reported: String?, target: String) -> Self {
        var outcome = self
        outcome.succeeded = false
        outcome.versionAfter = reported
        outcome.summary =
            "the update task ended \(status), but the BMC's firmware inventory reports \(reported ?? "no version") for it, not the plan's target \(target)"
        return outcome
    }

    static func dryRun(method: UpdateMethod, version: String?, summary: String) -> Self {
        Self(status: "DryRun", succeeded: true, method: method, versionBefore: version, versionAfter: version, summary: summary)
    }

    /// The task completed with TaskStatus OK or Warning.
    static func completed(_ report: TaskReport, method: UpdateMethod, before: String?, after: String?) -> Self {
        Self(
            status: report.state, succeeded: true, method: method, versionBefore: before, versionAfter: after,
            summary: "update completed (TaskStatus \(report.status ?? "OK"))")
    }

    /// The task ended any other way, in the BMC's own words.
    static func taskFailed(_ report: TaskReport, method: UpdateMethod, before: String?) -> Self {
        Self(
            status: report.state, succeeded: false, method: method, versionBefore: before, versionAfter: nil,
            summary:
                "the update task ended \(report.state)\(report.status.map { " (TaskStatus \($0))" } ?? "")\(report.messages.isEmpty ? "" : ": " + report.messages)"
        )
    }

    /// The deadline passed with the task still running: never a success, never retried.
    static func taskUnfinished(last: TaskReport?, method: UpdateMethod, before: String?, timeout: Double) -> Self {
        let state = last?.state ?? "Unknown"
        return Self(
            status: state, succeeded: false, method: method, versionBefore: before, versionAfter: nil,
            summary:
                "the outcome is still unknown after \(StepDuration.wholeText(timeout)) (task \(state)\(last?.percent.map { ", \($0)%" } ?? "")); not retried: check the BMC before flashing again"
        )
    }

    /// No task to follow, but the manager's FirmwareVersion changed.
    static func versionChanged(method: UpdateMethod, before: String, after: String, reason: String) -> Self {
        Self(
            status: "Completed", succeeded: true, method: method, versionBefore: before, versionAfter: after,
            summary: "the update \(reason), but FirmwareVersion changed from \(before) to \(after)")
    }

    /// No task to follow, and the version never changed: an accepted image that never flashed.
    static func versionUnchanged(method: UpdateMethod, before: String?, current: String?, reason: String, timeout: Double) -> Self {
        Self(
            status: "Unknown", succeeded: false, method: method, versionBefore: before, versionAfter: current,
            summary:
                "the BMC accepted the update but it \(reason), and FirmwareVersion is still \(current ?? "unknown") after \(StepDuration.wholeText(timeout)): not a success (an image the BMC accepts but never flashes looks like this)"
        )
    }
}
