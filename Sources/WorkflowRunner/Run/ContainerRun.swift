import Foundation
import StepRuntime

extension WorkflowExecutor {
    /// A container template: a pod per attempt, retried as its retryStrategy says (RetryDecision),
    /// its outputs and its failure message as Argo records them.
    func runContainer(
        _ template: Template, image: String, args: [String], env: [EnvironmentVariable], scope: [String: String], node: RunNode
    ) throws {
        let substitute = ParameterScope(values: scope)
        let arguments = try args.map { try substitute.substitute($0, where: "\(template.name) args") }
        let step = image.split(separator: "/").last.map { String($0.split(separator: ":").first ?? "") } ?? image
        let podName = "\(workflowName)-\(node.name)-\(node.id.split(separator: "-").last ?? "0")"
        let cluster = ClusterLookup(configuration: options.kubernetes)
        var environment = try PodEnvironment(
            template: template, scope: substitute, podName: podName, podUID: UUID().uuidString.lowercased(),
            namespace: options.namespace, lookup: cluster.value
        ).resolve(env)
        environment.merge(options.extraEnvironment) { _, extra in extra }
        let launcher = ContainerLauncher(engine: options.engine, binaries: options.binaries)
        let firstStart = Date()
        for attempt in 1... {
            node.beginAttempt()
            // By node id: in a fan-out many nodes share a name (every host has its get-obm-ip).
            let outputs = workDirectory + "/\(node.id)-\(attempt)"
            try FileManager.default.createDirectory(atPath: outputs, withIntermediateDirectories: true)
            let terminationLog = outputs + ".termination-log"
            FileManager.default.createFile(atPath: terminationLog, contents: nil)
            let (status, lastLine) = try launcher.launch(
                step: step, arguments: arguments,
                environment: environment.merging(["TERMINATION_MESSAGE_PATH": terminationLog]) { $1 }, outputs: outputs,
                deadline: RetryDecision.podDeadline(template: template, attempt: attempt, firstStart: firstStart, now: Date()))
            let finished = Date()
            let written = TemplateOutputs.written(by: template, in: outputs)
            if status == 0 {
                if let missing = written.missing {
                    node.endAttempt(phase: .failed, message: missing, exitCode: status, outputs: written.values)
                    node.phase = .failed
                    return
                }
                node.endAttempt(phase: .succeeded, message: "", exitCode: status, outputs: written.values)
                node.phase = .succeeded
                if attempt > 1 { node.message = "succeeded on attempt \(attempt)" }
                return
            }
            // As Kubernetes and Argo word it: the termination message, or with
            // FallbackToLogsOnError the end of the log when the step left none. Argo since v3.7
            // (operator.go): "main: Error (exit code N)", then ": " and that message.
            let terminationMessage = (try? String(contentsOfFile: terminationLog, encoding: .utf8)) ?? ""
            let said = terminationMessage.isEmpty ? lastLine : terminationMessage
            node.endAttempt(
                phase: .failed, message: "main: Error (exit code \(status))" + (said.isEmpty ? "" : ": " + said), exitCode: status,
                outputs: written.values)
            switch try RetryDecision.after(
                attempt: attempt, exitCode: status, retry: template.retry, firstStart: firstStart, finished: finished, now: Date(),
                backoffScale: options.backoffScale)
            {
            case .stop(let reason):
                node.retryEnd = reason
                if reason.lowercased().contains("max duration") { log("\(node.name): exit \(status), not retried: \(reason)") }
                node.phase = .failed
                return
            case .retry(let delay):
                let attempts = (template.retry?.limit ?? 0) + 1
                log("\(node.name): exit \(status), retrying in \(StepDuration.wholeText(delay)) (attempt \(attempt + 1) of \(attempts))")
                Thread.sleep(forTimeInterval: delay * options.backoffScale)
            }
        }
    }
}
