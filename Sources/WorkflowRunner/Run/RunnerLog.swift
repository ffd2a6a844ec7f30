import Foundation

/// steps-runner's own lines on standard error, apart from the steps' logs and the tree it prints.
public enum RunnerLog {
    @Sendable public static func write(_ line: String) {
        FileHandle.standardError.write(Data("steps-runner: \(line)\n".utf8))
    }
}
