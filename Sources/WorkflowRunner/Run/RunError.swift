import Foundation

/// A workflow that cannot run, or failed to: one line.
public struct RunError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What ArgumentParser prints for an error it is handed: the line itself.
extension RunError: LocalizedError {
    public var errorDescription: String? { description }
}
