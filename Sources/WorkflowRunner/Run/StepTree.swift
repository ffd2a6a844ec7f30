import Foundation

/// Prints a run as `argo get` does: the workflow's summary, then the step tree with ✔/✖,
/// templates, durations and the failing step's message.
public enum StepTree {
    public static func render(_ root: RunNode, workflow: String, parameters: [String: String]) -> String {
        var lines: [String] = []
        let phase = root.phase == .succeeded ? "Succeeded" : "Failed"
        lines.append("Name:                \(root.name)")
        lines.append("Namespace:           argo-events (local runner)")
        lines.append("Status:              \(phase)")
        // As `argo get`: the workflow's status.message, which is its root node's (a failed steps
        // workflow: "child '<id>' failed"; a failed DAG: none), never a step's own line.
        if root.phase != .succeeded, !root.message.isEmpty { lines.append("Message:             \(root.message)") }
        lines.append("Duration:            \(duration(root))")
        if !parameters.isEmpty {
            lines.append("Parameters:")
            for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(key):".padding(toLength: 21, withPad: " ", startingAt: 0) + value)
            }
        }
        if !root.outputs.isEmpty {
            lines.append("Outputs:")
            for (key, value) in root.outputs.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(key):".padding(toLength: 21, withPad: " ", startingAt: 0) + value)
            }
        }
        lines.append("")
        var rows: [(String, String, String, String)] = [("STEP", "TEMPLATE", "DURATION", "MESSAGE")]
        rows.append((" \(mark(root)) \(root.name)", root.template, duration(root), ""))
        func walk(_ node: RunNode, _ prefix: String) {
            let children = node.children
            for (index, child) in children.enumerated() {
                let last = index == children.count - 1
                let retries = child.attempts > 1 ? " (\(child.attempts) attempts)" : ""
                rows.append(
                    ("\(prefix)\(last ? "└─" : "├─")\(mark(child)) \(child.name)", child.template, duration(child) + retries, child.message)
                )
                walk(child, prefix + (last ? "  " : "│ "))
            }
        }
        walk(root, " ")
        let widths = (0..<3).map { column in rows.map { [$0.0, $0.1, $0.2][column].count }.max() ?? 0 }
        for row in rows {
            let cells = [row.0, row.1, row.2]
            let text = zip(cells, widths).map { $0.padding(toLength: $1 + 2, withPad: " ", startingAt: 0) }.joined() + row.3
            lines.append(text.trimmingTrailing())
        }
        return lines.joined(separator: "\n")
    }

    static func mark(_ node: RunNode) -> String {
        switch node.phase {
        case .succeeded: "✔"
        case .failed: "✖"
        case .omitted, .skipped: "○"
        case .pending, .running: "◷"
        }
    }

    /// The DURATION column as `argo get` fills it (`4s`, no space), tenths below ten seconds so a
    /// quick step is not shown as `0s`; messages write seconds with StepDuration.
    static func duration(_ node: RunNode) -> String {
        guard let started = node.started else { return "" }
        let seconds = (node.finished ?? Date()).timeIntervalSince(started)
        return seconds < 10 ? String(format: "%.1fs", seconds) : "\(Int(seconds))s"
    }
}

extension String {
    fileprivate func trimmingTrailing() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
