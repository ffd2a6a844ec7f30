import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A setting a step reads from its environment, listed in `--help`.
public struct EnvironmentSetting: Sendable {
    public var name: String
    public var meaning: String

    public init(_ name: String, _ meaning: String) {
        self.name = name
        self.meaning = meaning
    }
}

/// One step program: its Argo input parameters, the settings it reads, and a `run` that throws
/// `StepFailure`s. `main` wires the contract around it: `INPUT_*` fallback, log level, exit codes,
/// the one-line failure message, secret masking.
public protocol Step: ParsableCommand {
    /// The Argo input parameters, each an option `--name` with the `INPUT_NAME` fallback.
    static var parameters: [String] { get }
    /// The parameters that are flags (`--dry-run`), with the same fallback (`INPUT_DRY_RUN=true`).
    static var flags: [String] { get }
    /// The environment settings it reads, for `--help`.
    static var settings: [EnvironmentSetting] { get }
    var runtime: RuntimeOptions { get }
}

extension Step {
    public static var flags: [String] { [] }

    /// `--help`'s text about the environment: the `INPUT_*` variables and every setting read.
    public static func environmentHelp() -> String {
        var lines = ["Environment:"]
        for parameter in parameters {
            lines.append("  \(InputEnvironment.variableName(for: parameter)): --\(parameter), when the option is not given")
        }
        for flag in flags {
            lines.append("  \(InputEnvironment.variableName(for: flag)): --\(flag) when true, when the flag is not given")
        }
        let common = [
            EnvironmentSetting("OUTPUTS_DIR", "folder for output files (default /tmp/outputs)"),
            EnvironmentSetting("LOG_LEVEL", "debug, info (default), warning, error"),
        ]
        for setting in settings + common {
            lines.append("  \(setting.name): \(setting.meaning)")
        }
        lines.append("")
        lines.append("Exit status: 0 done, 64 bad input, 75 transient (retry), 1 any other failure.")
        return lines.joined(separator: "\n")
    }

    /// Runs the step as the contract says and exits with its status.
    public static func main() {
        // A closed stdout must be a write error the step reports, not SIGPIPE (exit 141).
        signal(SIGPIPE, SIG_IGN)
        let environment = ProcessEnvironment.current()
        Log.program = configuration.commandName ?? String(describing: Self.self)
        let arguments = InputEnvironment.merge(
            parameters: parameters,
            flags: flags,
            into: Array(CommandLine.arguments.dropFirst()),
            environment: environment
        )
        var command: Self
        do {
            guard let parsed = try parseAsRoot(arguments) as? Self else {
                exit(withError: CleanExit.helpRequest(self))
            }
            command = parsed
        } catch {
            // Help and version exit 0 through ArgumentParser; a usage error is bad input (64),
            // said in one line, as every failure is.
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let text = message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid arguments"
            Log.failure("\(text.replacing("Error: ", with: "")) (see --help; parameters may also come from INPUT_* variables)")
            Glibc.exit(ExitStatus.badInput.rawValue)
        }
        let status: ExitStatus
        do {
            Log.level = try command.runtime.resolvedLogLevel(environment: environment)
            try command.run()
            status = .success
        } catch let failure as any StepFailure {
            if let signal = TerminationSignal.signalName {
                // The work ended because it was stopped: say what had been done, and never
                // invite a retry once a change went out.
                Log.failure("stopped by \(signal): \(ChangeLedger.stopSummary); \(failure.message)")
                status = ChangeLedger.stopExitStatus
            } else {
                Log.failure(failure.message)
                status = failure.exitStatus
            }
        } catch let error as ValidationError {
            Log.failure(error.message)
            status = .badInput
        } catch {
            Log.failure("unexpected error: \(error)")
            status = .failure
        }
        Glibc.exit(status.rawValue)
    }
}

/// The process environment as a dictionary.
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
