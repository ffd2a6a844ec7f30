/// The `INPUT_*` fallback of the step contract: a parameter `foo-bar` given as `--foo-bar` wins,
/// else `INPUT_FOO_BAR` from the environment is used, for `docker run -e` by hand.
public enum InputEnvironment {
    /// The environment variable that may carry a parameter: `firmware-url` → `INPUT_FIRMWARE_URL`.
    public static func variableName(for parameter: String) -> String {
        "INPUT_" + parameter.uppercased().replacing("-", with: "_")
    }

    /// The arguments with `--name value` appended for every parameter the arguments lack and the
    /// environment carries. Argument parsing then sees one source, and validates it once.
    /// Flags (`--dry-run`) take `INPUT_DRY_RUN=true` (or 1, yes) to be set, false (0, no) to be
    /// left off; any other value reaches the parser as `--dry-run=VALUE`, a usage error (64).
    public static func merge(
        parameters: [String],
        flags: [String] = [],
        into arguments: [String],
        environment: [String: String]
    ) -> [String] {
        var merged = arguments
        // Only what precedes a `--` terminator is an option; an empty variable is not a value.
        let options = arguments.prefix { $0 != "--" }
        for parameter in parameters {
            let flag = "--" + parameter
            let given = options.contains { $0 == flag || $0.hasPrefix(flag + "=") }
            if !given, let value = environment[variableName(for: parameter)], !value.isEmpty {
                let insertAt = merged.firstIndex(of: "--") ?? merged.endIndex
                merged.insert(contentsOf: [flag, value], at: insertAt)
            }
        }
        for flag in flags {
            let option = "--" + flag
            guard !options.contains(where: { $0 == option || $0.hasPrefix(option + "=") }),
                let value = environment[variableName(for: flag)]?.lowercased(), !value.isEmpty
            else { continue }
            let insertAt = merged.firstIndex(of: "--") ?? merged.endIndex
            switch value {
            case "true", "1", "yes": merged.insert(option, at: insertAt)
            case "false", "0", "no": break
            default: merged.insert(option + "=" + value, at: insertAt)
            }
        }
        return merged
    }
}
