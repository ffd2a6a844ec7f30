import Firmware
import FleetRollout
import FoundationEssentials
import JSON
import StepRuntime

/// The end of a firmware compliance fleet: each selected host's verdict, read from the `plan`
/// output of its per-host run, or why it has none; the counts per device type.
public struct ComplianceSummary: Sendable {
    /// Where one host stands.
    public enum Standing: Sendable, Equatable {
        case planned(FirmwarePlan.Verdict)
        /// Its run failed (or never finished): its firmware is not known.
        case failed(HostOutcome)
        case notStarted(reason: String)

        public var name: String {
            switch self {
            case .planned(let verdict): verdict.rawValue
            case .failed: "failed"
            case .notStarted: "not started"
            }
        }
    }

    /// One row per host, in selection order.
    public struct Row: Sendable {
        public var hostname: String
        public var deviceType: String
        public var standing: Standing
    }

    public var rows: [Row]
    public var budget: FailureBudget

    /// The categories of the counts, in the order a table shows them.
    static let categories = FirmwarePlan.Verdict.allCases.map(\.rawValue) + ["failed", "not started"]

    /// `planOutput`: the per-host template's output parameter that holds the plan.
    public init(
        hosts: [String], deviceTypes: [String: String], reader: RolloutReader, budget: FailureBudget, planOutput: String = "plan"
    ) {
        self.budget = budget
        rows = hosts.map { host in
            let standing: Standing
            switch reader.outcome(of: host, budget: budget, total: hosts.count) {
            case .succeeded:
                standing = Self.verdict(of: reader.run(of: host), output: planOutput, step: reader.hostTemplate)
            case .notStarted(let reason): standing = .notStarted(reason: reason)
            case let other: standing = .failed(other)
            }
            // A host get-devices-nautobot did not type (an older select step) is grouped as such.
            return Row(hostname: host, deviceType: deviceTypes[host] ?? "(device type not known)", standing: standing)
        }
    }

    /// A run that succeeded without a readable plan is no verdict: counted failed, saying why.
    static func verdict(of run: WorkflowNode?, output: String, step: String) -> Standing {
        struct Verdict: Decodable { var verdict: FirmwarePlan.Verdict }
        guard let text = run?.outputs[output], !text.isEmpty else {
            return .failed(.failed(step: step, exitCode: nil, message: "the run succeeded but has no output `\(output)`"))
        }
        do {
            return .planned(try JSONDecoder().decode(Verdict.self, from: Data(text.utf8)).verdict)
        } catch {
            return .failed(.failed(step: step, exitCode: nil, message: "its output `\(output)` has no verdict this summary knows"))
        }
    }

    public func count(_ category: String, in rows: [Row]? = nil) -> Int {
        (rows ?? self.rows).filter { $0.standing.name == category }.count
    }

    public var failed: Int { count("failed") }
    public var notStarted: Int { count("not started") }
    public var compliant: Int { count(FirmwarePlan.Verdict.compliant.rawValue) }

    /// The device types in name order, each with its rows.
    public var byDeviceType: [(deviceType: String, rows: [Row])] {
        Dictionary(grouping: rows, by: \.deviceType).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    static func key(_ category: String) -> String {
        switch category {
        case "no-baseline": "noBaseline"
        case "not started": "notStarted"
        default: category
        }
    }

    func counts(_ rows: [Row]) -> [JSONMember] {
        [JSONMember("hosts", .integer(rows.count))] + Self.categories.map { JSONMember(Self.key($0), .integer(count($0, in: rows))) }
    }

    /// The output `summary`: the counts, per device type, the budget, and a row per host.
    public var json: JSONValue {
        .object(
            counts(rows) + [
                JSONMember("failureBudget", .string(budget.description)),
                JSONMember("budgetCrossed", .bool(budget.isCrossed(failed: failed, of: rows.count))),
                JSONMember(
                    "deviceTypes",
                    .array(
                        byDeviceType.map { group in .object([JSONMember("deviceType", .string(group.deviceType))] + counts(group.rows)) })),
                JSONMember(
                    "results",
                    .array(
                        rows.map { row in
                            var members = [
                                JSONMember("hostname", .string(row.hostname)), JSONMember("deviceType", .string(row.deviceType)),
                                JSONMember("result", .string(row.standing.name)),
                            ]
                            switch row.standing {
                            case .failed(let outcome):
                                members += (outcome.json.objectValue ?? []).filter { $0.key != "result" }
                            case .notStarted(let reason): members.append(JSONMember("reason", .string(reason)))
                            case .planned: break
                            }
                            return .object(members)
                        })),
            ])
    }

    /// A line per device type, then a line per host that has no verdict, for the log.
    public var table: [String] {
        let width = (byDeviceType.map(\.deviceType.count).max() ?? 4) + 2
        var lines = byDeviceType.map { group in
            group.deviceType + String(repeating: " ", count: width - group.deviceType.count) + "\(group.rows.count) host(s): "
                + Self.categories.map { "\(count($0, in: group.rows)) \($0)" }.joined(separator: ", ")
        }
        for row in rows {
            switch row.standing {
            case .failed(let outcome): lines.append("\(row.hostname): \(outcome.line)")
            case .notStarted(let reason): lines.append("\(row.hostname): not started: \(reason)")
            case .planned: break
            }
        }
        return lines
    }

    /// Whether every host has a verdict (and, when `requireCompliant`, that verdict is compliant).
    public func isClean(requireCompliant: Bool) -> Bool {
        failed == 0 && notStarted == 0 && (!requireCompliant || compliant == rows.count)
    }

    /// One line for the failure message: the counts and the first few hosts without a verdict.
    public var headline: String {
        var text =
            "\(compliant) of \(rows.count) host(s) compliant, "
            + Self.categories.dropFirst().map { "\(count($0)) \($0)" }.joined(separator: ", ")
        if budget.isCrossed(failed: failed, of: rows.count) { text += " (failure budget \(budget) crossed)" }
        let failures = rows.compactMap { row -> String? in
            if case .failed(let outcome) = row.standing { return "\(row.hostname): \(outcome.line)" }
            return nil
        }
        if !failures.isEmpty { text += "; " + failures.prefix(3).joined(separator: "; ") + (failures.count > 3 ? "; …" : "") }
        return text
    }
}
