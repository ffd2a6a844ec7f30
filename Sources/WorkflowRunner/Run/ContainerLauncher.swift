import Foundation

/// Starts a step's container on this machine as the engine says (the local binary of the
/// image's step, or the image under podman), kills it at its deadline (activeDeadlineSeconds,
/// or what maxDuration leaves it) and waits for it.
public struct ContainerLauncher: Sendable {
    let engine: ContainerEngine
    /// Where the step binaries are (for the local engine).
    let binaries: String

    /// Runs it to its end (or kills it at `deadline` seconds): its exit status and the last
    /// line it wrote to stderr.
    func launch(step: String, arguments: [String], environment: [String: String], outputs: String, deadline: Double?) throws
        -> (Int32, String)
    {
        let process = Process()
        switch engine {
        case .local:
            process.executableURL = URL(fileURLWithPath: binaries + "/" + step)
            process.arguments = arguments
            process.environment = environment.merging(["OUTPUTS_DIR": outputs]) { $1 }
        case .podman:
            let invocation = Self.podmanInvocation(
                step: step, arguments: arguments, environment: environment, outputs: outputs, own: ProcessInfo.processInfo.environment)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
            process.arguments = invocation.arguments
            process.environment = invocation.environment
            try? FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: outputs)
        }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let timer = deadline.map { seconds in
            DispatchWorkItem { if process.isRunning { process.terminate() } }.also {
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: $0)
            }
        }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        timer?.cancel()
        let lines = text.split(separator: "\n").map(String.init)
        return (process.terminationStatus, lines.last ?? "")
    }
}

extension ContainerLauncher {
    /// How podman runs a step's image: the step's variables are named with `-e NAME` and their
    /// values handed to podman through its own environment, never in its argv, which any local
    /// user can read in /proc (Secret values are among them).
    public static func podmanInvocation(
        step: String, arguments: [String], environment: [String: String], outputs: String, own: [String: String]
    ) -> (arguments: [String], environment: [String: String]) {
        var podman = ["run", "--rm", "--network=host", "-v", "\(outputs):/tmp/outputs"]
        if let log = environment["TERMINATION_MESSAGE_PATH"] { podman += ["-v", "\(log):/dev/termination-log"] }
        var handed = own
        for (key, value) in environment.sorted(by: { $0.key < $1.key })
        where !["PATH", "HOSTNAME", "TERMINATION_MESSAGE_PATH"].contains(key) {
            podman += ["-e", key]
            handed[key] = value
        }
        if let kubeconfig = environment["KUBECONFIG"] { podman += ["-v", "\(kubeconfig):\(kubeconfig):ro"] }
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) where key.hasSuffix("_CA_FILE") {
            podman += ["-v", "\(value):\(value):ro"]
        }
        podman += ["--hostname", environment["HOSTNAME"] ?? "step", "baremetal-steps/\(step):0.1.0"] + arguments
        return (podman, handed)
    }
}

extension DispatchWorkItem {
    fileprivate func also(_ body: (DispatchWorkItem) -> Void) -> DispatchWorkItem {
        body(self)
        return self
    }
}
