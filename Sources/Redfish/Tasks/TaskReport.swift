import JSON

/// A Redfish Task's state, read for what it means to the operator. TaskState decides, so a task
/// without one cannot be read; TaskStatus, PercentComplete and Messages are optional in DMTF's
/// Task schema and stay so.
public struct TaskReport: Sendable, Equatable, Decodable {
    public var state: String
    public var status: String?
    public var percent: Int?
    public var messages: String

    private enum CodingKeys: String, CodingKey {
        case state = "TaskState"
        case status = "TaskStatus"
        case percent = "PercentComplete"
        case messages = "Messages"
    }

    /// A Message of the Messages array: its text, else its id.
    private struct Message: Decodable {
        var Message: String?
        var MessageId: String?
    }

    public init(state: String, status: String? = nil, percent: Int? = nil, messages: String = "") {
        self.state = state
        self.status = status
        self.percent = percent
        self.messages = messages
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        state = try fields.decode(String.self, forKey: .state)
        status = try fields.decodeIfPresent(String.self, forKey: .status)
        percent = try fields.decodeIfPresent(Int.self, forKey: .percent)
        messages = try (fields.decodeIfPresent([Message].self, forKey: .messages) ?? []).compactMap { message -> String? in
            let text = message.Message ?? message.MessageId ?? ""
            return text.isEmpty ? nil : text
        }.joined(separator: "; ")
    }

    /// The task resource (or a task monitor's answer) at `path`.
    public init(parsing body: [UInt8], at path: String) throws(RedfishError) {
        self = try RedfishShape.decode(TaskReport.self, from: body, what: "task", at: path)
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
