import Foundation
import StepRuntime
import StepTesting
import Testing

/// What a step does with the machine it runs on: its output files, its stdout, header values,
/// the names and files it is given.
@Suite(.stopsSimulators) struct ProcessHygieneTests {
    @Test func aPlantedSymlinkIsNeitherFollowedNorOverwritten() throws {
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("outputs-\(UUID())").path
        try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
        let victim = FileManager.default.temporaryDirectory.appendingPathComponent("victim-\(UUID())").path
        try "precious".write(toFile: victim, atomically: true, encoding: .utf8)
        // The name the temporary file had before: the output's name and this process's id.
        try FileManager.default.createSymbolicLink(
            atPath: outputs + "/.secret.\(ProcessInfo.processInfo.processIdentifier).tmp", withDestinationPath: victim)
        try OutputsFolder(path: outputs).write("secret", "obm-creds")
        #expect(try String(contentsOfFile: outputs + "/secret", encoding: .utf8) == "obm-creds")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        let left = try FileManager.default.contentsOfDirectory(atPath: outputs).filter { $0.hasPrefix(".secret.") && !$0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "no temporary file left behind: \(left)")
    }

    @Test func aClosedStdoutIsAReportedFailureNotSIGPIPE() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-creds": ["username": "root", "password": "x-password"]])
        var environment = try kubernetes.inClusterEnvironment()
        environment["PATH"] = "/usr/bin:/bin"
        environment["OUTPUTS_DIR"] = FileManager.default.temporaryDirectory.appendingPathComponent("outputs-\(UUID())").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path("get-obm-creds"))
        process.arguments = ["--hostname", "host1.domain.local"]
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try stdout.fileHandleForReading.close()
        try process.run()
        process.waitUntilExit()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(process.terminationStatus) \(errors)")
        #expect(errors.hasSuffix("get-obm-creds: cannot write the output to standard output: Broken pipe\n"), "\(errors)")
    }

    @Test func aLineBreakInATokenNeverBecomesAHeader() throws {
        let kubernetes = try SimulatedKubernetes.start(secrets: ["obm-creds": ["username": "root", "password": "x-password"]])
        var environment = try kubernetes.inClusterEnvironment()
        let tokenFile = (environment["KUBERNETES_SERVICE_ACCOUNT_DIR"] ?? "") + "/token"
        try "header.token\r\nImpersonate-User: system:admin".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        environment["OUTPUTS_DIR"] = FileManager.default.temporaryDirectory.appendingPathComponent("outputs-\(UUID())").path
        let run = try runStep("get-obm-creds", ["--hostname", "host1.domain.local"], environment: environment)
        #expect(run.status == 64, "\(run)")
        #expect(run.stderrLines.last?.hasSuffix("not sent: the Authorization value holds a line break or NUL") == true, "\(run)")
        #expect(!run.everything.contains("system:admin"))
        #expect(try kubernetes.requestLog().allSatisfy { !$0.contains("Impersonate") })
    }

    @Test func anAccountNameWithALineBreakIsBadInputBeforeAnythingIsWritten() throws {
        let run = try runStep(
            "get-obm-creds", ["--hostname", "host1.domain.local", "--source", "standard", "--ip", "10.0.0.11", "--username", "root\nx"])
        #expect(run.status == 64, "\(run)")
        #expect(
            run.stderrLines.last
                == "get-obm-creds: --username is not a BMC account name (1 to 64 characters, no control characters, no \":\")")
    }

    @Test func aMissingCAFileOrAVerifyTypoIsBadInput() throws {
        let missing = try runStep(
            "obm-sync-creds", ["--host", "127.0.0.1:\(closedPort())"],
            environment: ["OBM_USERNAME": "root", "OBM_PASSWORD": "Record-Passw0rd-2026", "OBM_CA_FILE": "/nonexistent/ca.pem"])
        #expect(missing.status == 64, "\(missing)")
        #expect(missing.stderrLines.last?.contains("the CA bundle for https://127.0.0.1") == true, "\(missing)")
        #expect(missing.stderrLines.last?.hasSuffix("cannot be read: /nonexistent/ca.pem: No such file or directory") == true, "\(missing)")
        let typo = try runStep(
            "obm-sync-creds", ["--host", "127.0.0.1"],
            environment: [
                "OBM_USERNAME": "root", "OBM_PASSWORD": "Record-Passw0rd-2026", "OBM_CA_FILE": "/etc/ssl/certs/ca-certificates.crt",
                "OBM_TLS_VERIFY": "flase",
            ])
        #expect(typo.status == 64, "\(typo)")
        #expect(typo.stderrLines.last == "obm-sync-creds: OBM_TLS_VERIFY \"flase\" is not true or false")
    }
}

/// A test's simulators stop when it ends; a simulator shared by the run does not.
@Suite struct SimulatorScopeTests {
    @Test func theSimulatorsAScopeStartedStopWithIt() throws {
        let scope = SimulatorScope()
        let files = try SimulatorScope.$current.withValue(scope) { try SimulatedFiles.start() }
        let pid = try #require(scope.running.first)
        #expect(scope.running.count == 1)
        #expect(kill(pid, 0) == 0, "running while its test runs")
        _ = try files.image("still-served.bin", bytes: 16)
        scope.stopAll()
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "gone once its test ended")
        #expect(scope.running.isEmpty)
    }

    @Test func theSharedNautobotIsNoTestsToStop() throws {
        let scope = SimulatorScope()
        _ = try SimulatorScope.$current.withValue(scope) { try SimulatedNautobot.shared() }
        #expect(scope.running.isEmpty, "started outside any test's scope")
    }
}
