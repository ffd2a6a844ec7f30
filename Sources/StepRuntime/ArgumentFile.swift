/// A container argument too long for a command line, as Argo hands it over: its executor
/// replaces any argument over 128 KiB by `@/tmp/argo_arg_N.txt`, a file holding it
/// (cmd/argoexec/commands/emissary.go). A person may write `@file` by hand the same way.
public enum ArgumentFile {
    /// The longest argument read from a file: a 4,500-host list is about 150 KiB.
    public static let limit = 16 << 20

    /// `value` itself, or for `@path` the file's text.
    public static func resolve(_ value: String, option: String) throws(StepError) -> String {
        guard value.hasPrefix("@") else { return value }
        let path = String(value.dropFirst())
        guard LocalFile.exists(path) else { throw .badInput("\(option) \(value): no such file (an argument Argo handed over as a file?)") }
        guard let text = LocalFile.readText(path, limit: limit) else {
            throw .badInput("\(option) \(value) cannot be read, or is larger than \(limit >> 20) MiB")
        }
        return text
    }
}
