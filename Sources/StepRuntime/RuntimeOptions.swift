import ArgumentParser

/// The options every step shares: where outputs go and how much it logs.
public struct RuntimeOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "Folder for output parameter files (env OUTPUTS_DIR; default /tmp/outputs).")
    public var outputsDir: String?

    @Option(name: .long, help: "debug, info, warning or error (env LOG_LEVEL; default info).")
    public var logLevel: String?

    public init() {}

    /// The outputs folder: the option, else `OUTPUTS_DIR`, else `/tmp/outputs`.
    public func outputs(environment: [String: String]) -> OutputsFolder {
        let path = outputsDir ?? environment.setting("OUTPUTS_DIR")
        return OutputsFolder(path: path ?? OutputsFolder.defaultPath)
    }

    /// The log level: the option, else `LOG_LEVEL`, else info.
    public func resolvedLogLevel(environment: [String: String]) throws(StepError) -> LogLevel {
        guard let name = logLevel ?? environment["LOG_LEVEL"], !name.isEmpty else { return .info }
        guard let level = LogLevel(name: name) else {
            throw .badInput("log level \"\(name)\" is not one of debug, info, warning, error")
        }
        return level
    }
}

extension RuntimeOptions {
    /// Publishes the step's main output: the file Argo collects, then the same value on stdout.
    public func emit(_ name: String, _ value: String, environment: [String: String] = ProcessEnvironment.current()) throws(StepError) {
        try outputs(environment: environment).write(name, value)
        try StandardOutput.print(value)
    }
}
