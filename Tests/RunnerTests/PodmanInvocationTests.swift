import Testing
import WorkflowRunner

/// steps-runner --engine podman: a Secret's value never appears in podman's argv (/proc/PID/cmdline
/// is readable by every local user); podman takes it from its own environment (`-e NAME`).
@Suite struct PodmanInvocationTests {
    @Test func secretValuesTravelInTheEnvironmentNotTheArguments() {
        let invocation = ContainerLauncher.podmanInvocation(
            step: "obm-sync-creds", arguments: ["--host", "10.0.0.11"],
            environment: [
                "OBM_PASSWORD": "Record-Passw0rd-2026", "OBM_USERNAME": "root", "HOSTNAME": "pod-1", "PATH": "/usr/bin",
                "OBM_CA_FILE": "/tmp/ca.pem",
            ],
            outputs: "/tmp/out", own: ["HOME": "/root"])
        #expect(!invocation.arguments.joined(separator: " ").contains("Record-Passw0rd-2026"))
        #expect(invocation.arguments.contains("OBM_PASSWORD") && invocation.arguments.contains("OBM_USERNAME"))
        #expect(invocation.environment["OBM_PASSWORD"] == "Record-Passw0rd-2026")
        #expect(invocation.environment["HOME"] == "/root", "podman keeps its own environment")
        #expect(invocation.environment["PATH"] == nil && !invocation.arguments.contains("PATH"), "the step's PATH is not podman's")
        #expect(invocation.arguments.suffix(4) == ["pod-1", "baremetal-steps/obm-sync-creds:0.1.0", "--host", "10.0.0.11"])
        #expect(invocation.arguments.contains("/tmp/ca.pem:/tmp/ca.pem:ro"))
    }
}
