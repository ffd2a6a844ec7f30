import Foundation
import StepRuntime
import StepTesting
import Testing

@Suite struct InputEnvironmentTests {
    @Test func variableNamesFollowTheContract() {
        #expect(InputEnvironment.variableName(for: "hostname") == "INPUT_HOSTNAME")
        #expect(InputEnvironment.variableName(for: "firmware-url") == "INPUT_FIRMWARE_URL")
    }

    @Test func environmentFillsOnlyWhatTheArgumentsLack() {
        let env = ["INPUT_HOSTNAME": "from-env", "INPUT_URI": "/x", "INPUT_BODY": ""]
        let merged = InputEnvironment.merge(parameters: ["hostname", "uri", "body"], into: ["--hostname=given"], environment: env)
        #expect(merged == ["--hostname=given", "--uri", "/x"])
        let separated = InputEnvironment.merge(parameters: ["hostname"], into: ["--", "--hostname"], environment: env)
        #expect(separated == ["--hostname", "from-env", "--", "--hostname"])
    }

    @Test func bareHostnameIsNeverAParameter() {
        let merged = InputEnvironment.merge(parameters: ["hostname"], into: [], environment: ["HOSTNAME": "pod-name"])
        #expect(merged.isEmpty)
    }
}

@Suite struct OutputsFolderTests {
    func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("outputs-\(UUID().uuidString)/nested").path
    }

    @Test func valueIsWrittenWholeWithoutTrailingNewline() throws {
        let folder = OutputsFolder(path: temporaryFolder())
        try folder.write("ip", "10.0.0.11")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path + "/ip")) == Data("10.0.0.11".utf8))
        try folder.write("ip", "10.0.0.12")
        #expect(folder.read("ip") == "10.0.0.12")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["ip"], "no temporary file stays behind")
    }

    @Test func namesThatAreNotPlainFilesAreRefused() {
        let folder = OutputsFolder(path: temporaryFolder())
        for name in ["", "..", "a/b", "../../etc/passwd"] {
            #expect(throws: StepError.self) { try folder.write(name, "x") }
        }
    }

    @Test func registeredSecretsNeverReachAFile() throws {
        let secret = "s3cr3t-output-value-\(UUID().uuidString)"
        SecretRedaction.register(secret)
        let folder = OutputsFolder(path: temporaryFolder())
        try folder.write("result", "before \(secret) after")
        #expect(folder.read("result") == "before \(SecretRedaction.mask) after")
    }
}

@Suite struct SecretRedactionTests {
    @Test func longestSecretIsMaskedWhole() {
        let short = "abcd-\(UUID().uuidString)"
        SecretRedaction.register(short)
        SecretRedaction.register(short + "-longer")
        #expect(SecretRedaction.redact("x \(short)-longer y \(short)") == "x \(SecretRedaction.mask) y \(SecretRedaction.mask)")
    }

    @Test func tinyValuesAreNotMasked() {
        SecretRedaction.register("ab")
        #expect(SecretRedaction.redact("about") == "about")
    }
}

@Suite struct LogLevelTests {
    @Test func namesParse() {
        #expect(LogLevel(name: "DEBUG") == .debug)
        #expect(LogLevel(name: "warn") == .warning)
        #expect(LogLevel(name: "loud") == nil)
        #expect(LogLevel.debug < LogLevel.error)
    }

    @Test func badLogLevelIsBadInput() {
        #expect(throws: StepError.badInput("log level \"loud\" is not one of debug, info, warning, error")) {
            try RuntimeOptions.parse([]).resolvedLogLevel(environment: ["LOG_LEVEL": "loud"])
        }
        #expect((try? RuntimeOptions.parse([]).resolvedLogLevel(environment: [:])) == .info)
    }
}

/// The failure line is also the container's termination message, which Argo shows as the node's
/// message and fleet summaries quote: the same line, masked, and only into a file that exists.
@Suite struct TerminationMessageTests {
    @Test func theFailureLineIsLeftWhereKubernetesReadsIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("termination-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/termination-log"
        FileManager.default.createFile(atPath: path, contents: nil)
        let token = "term0token0" + "0123456789abcdef0123456789abcdef"
        let run = try runStep(
            "get-obm-ip", ["--hostname", "host1.domain.local"],
            environment: [
                "NAUTOBOT_URL": "https://127.0.0.1:\(closedPort())/\(token)", "NAUTOBOT_TOKEN": token, "TERMINATION_MESSAGE_PATH": path,
            ])
        #expect(run.status == 75)
        let message = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!message.isEmpty && run.stderrLines.last == "get-obm-ip: " + message, "\(message)\n\(run)")
        #expect(!message.contains(token), "masked like every log line")

        let absent = folder + "/not-there"
        let again = try runStep(
            "get-obm-ip", ["--hostname", "host1.domain.local"],
            environment: ["NAUTOBOT_URL": "https://127.0.0.1:\(closedPort())", "NAUTOBOT_TOKEN": token, "TERMINATION_MESSAGE_PATH": absent])
        #expect(again.status == 75)
        #expect(!FileManager.default.fileExists(atPath: absent), "outside a pod nothing is created")
    }
}
