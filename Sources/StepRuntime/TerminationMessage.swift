import Glibc

/// The failure line, also left where Kubernetes reads a container's termination message, so
/// Argo shows it as the node's message ("Error (exit code 1): …") and fleet summaries can name it.
enum TerminationMessage {
    /// Kubernetes' default `terminationMessagePath`; the local runner points elsewhere with
    /// `TERMINATION_MESSAGE_PATH`, since it runs steps outside a container.
    static let defaultPath = "/dev/termination-log"
    /// Kubernetes keeps at most 4096 bytes of it.
    static let limit = 4096

    static func record(_ line: String) {
        let path = getenv("TERMINATION_MESSAGE_PATH").map { String(cString: $0) } ?? defaultPath
        // Only an existing file: outside a pod /dev/termination-log does not exist, and a step
        // run by hand must not create files in unexpected places.
        guard access(path, W_OK) == 0 else { return }
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = writeAll(fd: fd, String(decoding: Array(line.utf8.prefix(limit)), as: UTF8.self))
    }
}
