import JSON

/// A Redfish Task's state, read for what it means to the operator.
public struct TaskReport: Sendable, Equatable {
    public var state: String
    public var status: String?
    public var percent: Int?
    public var messages: String

    public init(_ task: JSONValue) {
        state = task["TaskState"]?.stringValue ?? "Unknown"
        status = task["TaskStatus"]?.stringValue
        percent = task["PercentComplete"]?.intValue
        messages = (task["Messages"]?.arrayValue ?? []).compactMap { message -> String? in
            let text = message["Message"]?.stringValue ?? message["MessageId"]?.stringValue ?? ""
            return text.isEmpty ? nil : text
        }.joined(separator: "; ")
    }

    /// States a task leaves on its own.
    static let running: Set<String> = [
        "New", "Starting", "Running", "Pending", "Stopping", "Cancelling", "Suspended", "Interrupted", "Service",
    ]

    public var isRunning: Bool { Self.running.contains(state) }

    /// Done, and done well: Completed with TaskStatus OK or Warning (an absent status counts as OK).
    public var succeeded: Bool {
        state == "Completed" && (status == nil || status == "OK" || status == "Warning")
    }

    /// Anything that is neither running nor a success: Exception, Killed, Cancelled, a
    /// Completed with a Critical status, or a state no version of Redfish defines.
    public var failed: Bool { !isRunning && !succeeded }
}
