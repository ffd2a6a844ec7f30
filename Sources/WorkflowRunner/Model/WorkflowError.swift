/// A WorkflowTemplate file that cannot be run: the field, and why.
public struct WorkflowError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}
