import Foundation

/// Where the built executables are: `STEP_BIN_DIR`, else this package's `.build/debug`.
public enum BuiltProducts {
    public static var directory: String {
        if let dir = ProcessInfo.processInfo.environment["STEP_BIN_DIR"], !dir.isEmpty { return dir }
        return packageRoot + "/.build/debug"
    }

    /// The package's root folder, from this file's place in it.
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    public static func path(_ name: String) -> String { directory + "/" + name }
}

/// What one run of a step program did: exit status, both streams, its outputs folder.
public struct StepRun: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var outputsDir: String

    /// The value of an output file, nil if the step wrote none.
    public func output(_ name: String) -> String? {
        try? String(contentsOfFile: outputsDir + "/" + name, encoding: .utf8)
    }

    /// Every output file's content, for checks that nothing leaked into any of them.
    public var allOutputs: String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputsDir)) ?? []
        return names.compactMap { output($0) }.joined(separator: "\n")
    }

    /// stdout, stderr and every output file, together.
    public var everything: String { stdout + "\n" + stderr + "\n" + allOutputs }

    public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

    public var description: String { "status \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs a built step program with exactly the environment given (plus PATH), in a fresh
/// outputs folder, and waits for it.
public func runStep(_ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> StepRun {
    let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("step-outputs-\(UUID().uuidString)").path
    var env = ["PATH": "/usr/bin:/bin", "OUTPUTS_DIR": outputs]
    env.merge(environment) { _, new in new }
    let result = try runProcess(BuiltProducts.path(name), arguments, environment: env, timeout: timeout)
    return StepRun(status: result.status, stdout: result.stdout, stderr: result.stderr, outputsDir: outputs)
}

/// Runs any program and captures both streams.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Double = 120) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
    if group.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        throw TestFailure("\(executable) did not finish within \(timeout) s")
    }
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// A test set-up that could not be made.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs blocking work (a synchronous HTTP call, a child process) on a thread of its own, so it
/// never holds one of Swift concurrency's few threads that an in-process test server needs.
public func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try work() })
        }
    }
}

/// A step program started in the background, to be signalled while it works (Argo's SIGTERM).
public final class RunningStep: @unchecked Sendable {
    let process = Process()
    let outputs: String
    private let out = Pipe()
    private let err = Pipe()
    private let group = DispatchGroup()
    private var outData = Data()
    private var errData = Data()

    /// Starts `name` with exactly the environment given (plus PATH and OUTPUTS_DIR).
    public init(_ name: String, _ arguments: [String], environment: [String: String]) throws {
        outputs = FileManager.default.temporaryDirectory.appendingPathComponent("step-outputs-\(UUID().uuidString)").path
        var env = ["PATH": "/usr/bin:/bin", "OUTPUTS_DIR": outputs]
        env.merge(environment) { _, new in new }
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path(name))
        process.arguments = arguments
        process.environment = env
        process.standardOutput = out
        process.standardError = err
        try process.run()
        DispatchQueue.global().async(group: group) { self.outData = self.out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { self.errData = self.err.fileHandleForReading.readDataToEndOfFile() }
    }

    public func signal(_ number: Int32 = SIGTERM) { kill(process.processIdentifier, number) }

    /// Waits for the program to end (killing it after `timeout` seconds) and returns what it did.
    public func wait(timeout: Double = 60) throws -> StepRun {
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("the step did not end within \(timeout) s")
        }
        process.waitUntilExit()
        return StepRun(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), outputsDir: outputs)
    }
}

/// Polls `condition` every 50 ms for up to `timeout` seconds; whether it became true.
public func eventually(timeout: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}
