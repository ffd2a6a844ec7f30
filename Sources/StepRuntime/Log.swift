import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How much a step says on standard error.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case debug, info, warning, error

    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The step's diagnostics on standard error, one line each, prefixed with the program's name and
/// masked by `SecretRedaction`. Standard output is kept for the step's main output alone.
public enum Log {
    private struct State {
        var program = "step"
        var level = LogLevel.info
    }

    private static let state = Mutex(State())

    public static var program: String {
        get { state.withLock { $0.program } }
        set { state.withLock { $0.program = newValue } }
    }

    public static var level: LogLevel {
        get { state.withLock { $0.level } }
        set { state.withLock { $0.level = newValue } }
    }

    public static func debug(_ message: @autoclosure () -> String) { log(.debug, message) }
    public static func info(_ message: @autoclosure () -> String) { log(.info, message) }
    public static func warning(_ message: @autoclosure () -> String) { log(.warning, message) }
    public static func error(_ message: @autoclosure () -> String) { log(.error, message) }

    /// The one line a failed step ends with: `program: message`, no level, so it reads as the
    /// contract's examples do.
    public static func failure(_ message: String) {
        writeStandardError("\(program): \(message)")
        TerminationMessage.record(SecretRedaction.redact(message).replacing("\r", with: " ").replacing("\n", with: " "))
    }

    private static func log(_ level: LogLevel, _ message: () -> String) {
        guard level >= self.level else { return }
        writeStandardError("\(program): \(level): \(message())")
    }

    private static func writeStandardError(_ line: String) {
        // One line per message: a newline inside (a server's text) would forge a second log line.
        let flat = SecretRedaction.redact(line).replacing("\r", with: " ").replacing("\n", with: " ")
        writeAll(fd: 2, flat + "\n")
    }
}

/// Writes the whole text to a file descriptor, retrying short writes and EINTR; false on an error.
@discardableResult
func writeAll(fd: Int32, _ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { buffer in
            write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        }
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += written
    }
    return true
}
