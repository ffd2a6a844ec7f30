#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The folder Argo collects output parameters from (`/tmp/outputs` by default): one file per
/// output, named as the parameter, holding the value alone with no trailing newline.
public struct OutputsFolder: Sendable {
    public static let defaultPath = "/tmp/outputs"

    public let path: String

    public init(path: String = OutputsFolder.defaultPath) {
        self.path = path
    }

    /// Writes one output whole or not at all: a temporary file in the same folder, flushed, then
    /// renamed over the final name, so Argo never reads half a value.
    public func write(_ name: String, _ value: String) throws(StepError) {
        guard Self.isValidName(name) else { throw .badInput("output name \"\(name)\" is not a plain file name") }
        try createFolder()
        let final = path + "/" + name
        // A name no one can guess, created exclusively: a file or symlink planted in a shared
        // folder can neither be overwritten nor followed.
        var template = Array("\(path)/.\(name).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { throw .failure("cannot write output \(final): \(Self.lastError())") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // mkstemp makes the file private; an output is read by Argo's wait container.
        fchmod(fd, 0o644)
        guard writeAll(fd: fd, SecretRedaction.redact(value)) else {
            let reason = Self.lastError()
            close(fd)
            unlink(temporary)
            throw .failure("cannot write output \(final): \(reason)")
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, final) == 0 else {
            let reason = Self.lastError()
            unlink(temporary)
            throw .failure("cannot write output \(final): \(reason)")
        }
    }

    /// The value of an output already written, or nil.
    public func read(_ name: String) -> String? {
        LocalFile.readText(path + "/" + name)
    }

    private func createFolder() throws(StepError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .failure("cannot create outputs folder \(path): \(Self.lastError())")
            }
        }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name != "." && name != ".."
            && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// Standard output, where the step prints its main output alone.
public enum StandardOutput {
    /// Prints the value followed by a newline (stdout is for people and `outputs.result`; the file
    /// carries the exact value), masked by `SecretRedaction`. A closed stdout is a failure said
    /// in one line (SIGPIPE is ignored: `Step.main`), not a silent death after the work is done.
    public static func print(_ value: String) throws(StepError) {
        guard writeAll(fd: 1, SecretRedaction.redact(value) + "\n") else {
            throw .failure("cannot write the output to standard output: \(OutputsFolder.lastError())")
        }
    }
}
