import ArgumentParser
import Foundation
import Kubernetes
import WorkflowRunner

/// `steps-runner`: runs and lints this project's WorkflowTemplates on one machine, without a
/// cluster: containers become local step processes (or podman runs of their images).
@main
struct StepsRunner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steps-runner",
        abstract: "Runs or lints the WorkflowTemplates of workflowtemplates/ on this machine, without a cluster.",
        subcommands: [Run.self, Lint.self]
    )
}

struct Folder: ParsableArguments {
    @Option(help: "The folder of WorkflowTemplates (templateRefs resolve across it).")
    var templates = "workflowtemplates"
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parses every template strictly and checks references, parameters, outputs and DAGs.")

    @OptionGroup var folder: Folder

    func run() throws {
        if !WorkflowLint.report(try WorkflowDocument.loadFolder(folder.templates)) { throw ExitCode(1) }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs a WorkflowTemplate as `argo submit --from workflowtemplate/NAME` would, and prints its tree.")

    @Argument(help: "The WorkflowTemplate to run.")
    var workflow: String

    @OptionGroup var folder: Folder

    @Option(name: [.short, .customLong("parameter")], help: "A workflow parameter, name=value (repeatable).")
    var parameters: [String] = []

    @Option(help: "Where the step binaries are (engine local).")
    var bin = ".build/debug"

    @Option(help: "local (the step binaries) or podman (the step images).")
    var engine = "local"

    @Option(help: "Extra environment for every step, NAME=value (repeatable), like act's --env.")
    var env: [String] = []

    @Option(help: "Multiply retry backoffs by this (tests: 0.01).")
    var backoffScale = 1.0

    @Flag(help: "Do not publish the run as a Workflow object (fleet templates, which read it, then fail).")
    var noWorkflowStatus = false

    func run() throws {
        let all = try WorkflowDocument.loadFolder(folder.templates)
        let values = try Self.pairs(parameters, option: "-p")
        let extra = try Self.pairs(env, option: "--env")
        guard let engineKind = ContainerEngine(rawValue: engine) else { throw ValidationError("--engine must be local or podman") }
        let kubernetes = try RunOptions.cluster(environment: ProcessInfo.processInfo.environment)
        let options = RunOptions(
            binaries: URL(fileURLWithPath: bin).standardizedFileURL.path, engine: engineKind, extraEnvironment: extra,
            kubernetes: kubernetes,
            backoffScale: backoffScale, namespace: kubernetes?.namespace ?? "argo-events", publishesStatus: !noWorkflowStatus)
        let executor = try WorkflowExecutor(templates: all, options: options, workflow: workflow, log: RunnerLog.write)
        let root = try executor.run(workflow, parameters: values)
        print(StepTree.render(root, workflow: workflow, parameters: values))
        if root.phase != .succeeded { throw ExitCode(1) }
    }

    /// A malformed pair is a usage error (exit 64), as every other malformed option.
    static func pairs(_ items: [String], option: String) throws -> [String: String] {
        do { return try RunOptions.pairs(items, option: option) } catch { throw ValidationError(error.description) }
    }
}
