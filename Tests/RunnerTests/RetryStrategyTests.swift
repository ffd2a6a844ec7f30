import Foundation
import StepTesting
import Testing
import WorkflowRunner

/// retryStrategy as Argo's controller applies it (operator.go, processNodeRetries): the backoff
/// waits, and maxDuration as a deadline from the first attempt's start that lint holds to the
/// step's own bounds.
@Suite struct RetryStrategyTests {
    func template(_ backoff: String, limit: Int = 2, deadline: String? = "\"2400\"") throws -> WorkflowTemplate {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retry-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let text = """
            apiVersion: argoproj.io/v1alpha1
            kind: WorkflowTemplate
            metadata:
              name: flash
            spec:
              entrypoint: main
              templates:
                - name: main
            \(deadline.map { "      activeDeadlineSeconds: \($0)\n" } ?? "")      retryStrategy:
                    limit: "\(limit)"
                    expression: asInt(lastRetry.exitCode) == 75
                    backoff:
            \(backoff.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n"))
                  container:
                    image: baremetal-steps/obm-firmware-update
                    args: ["--host", "x"]
            """
        try text.write(toFile: folder + "/flash.yaml", atomically: true, encoding: .utf8)
        return try WorkflowDocument.load(file: folder + "/flash.yaml")
    }

    @Test func waitsGrowByTheFactorUpToTheCapAndStayFlatWithoutOne() throws {
        let growing = try #require(try template("duration: 10s\nfactor: \"2\"\ncap: 30s").templates.first?.retry?.backoff)
        #expect((1...4).map { growing.wait(afterAttempts: $0) } == [10, 20, 30, 30])
        let flat = try #require(try template("duration: 10s").templates.first?.retry?.backoff)
        #expect((1...3).map { flat.wait(afterAttempts: $0) } == [10, 10, 10], "Argo multiplies only when a factor is given")
    }

    @Test func lintRefusesAMaxDurationThatWouldKillARetriedAttempt() throws {
        // What obm-firmware-update shipped: 3 attempts of up to 40 min under a 5 min maxDuration.
        let short = try template("duration: 10s\nfactor: \"2\"\nmaxDuration: 5m")
        #expect(
            WorkflowLint.check(["flash": short]).first?.hasSuffix(
                "template main: retryStrategy.backoff.maxDuration 300 s is below what 3 attempts of up to 2400 s (activeDeadlineSeconds) and their backoff waits can take (7230 s): Argo would kill a retried attempt mid-work at maxDuration from the first attempt's start; drop maxDuration or raise it"
            ) == true, "\(WorkflowLint.check(["flash": short]))")
        #expect(WorkflowLint.check(["flash": try template("duration: 10s\nfactor: \"2\"\nmaxDuration: 2h1m")]).isEmpty)
        let unbounded = try template("duration: 10s\nmaxDuration: 1h", deadline: nil)
        #expect(WorkflowLint.check(["flash": unbounded]).first?.contains("maxDuration without activeDeadlineSeconds") == true)
        #expect(throws: WorkflowError.self) { try template("factor: \"2\"") }
    }
}
