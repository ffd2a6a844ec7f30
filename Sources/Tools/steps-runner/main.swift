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
        let all = try WorkflowDocument.loadFolder(folder.templates)
        let problems = WorkflowLint.check(all)
        for problem in problems { FileHandle.standardError.write(Data("steps-runner lint: \(problem)\n".utf8)) }
        print("steps-runner lint: \(all.count) WorkflowTemplates, \(problems.count) problem(s)")
        if !problems.isEmpty { throw ExitCode(1) }
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
        let problems = WorkflowLint.check(all)
        guard problems.isEmpty else { throw RunError("the templates do not lint: \(problems.joined(separator: "; "))") }
        var values: [String: String] = [:]
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "=") else { throw ValidationError("-p \(parameter) is not name=value") }
            values[String(parameter[..<equals])] = String(parameter[parameter.index(after: equals)...])
        }
        var extra: [String: String] = [:]
        for item in env {
            guard let equals = item.firstIndex(of: "=") else { throw ValidationError("--env \(item) is not NAME=value") }
            extra[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        guard let engineKind = ContainerEngine(rawValue: engine) else { throw ValidationError("--engine must be local or podman") }
        let environment = ProcessInfo.processInfo.environment
        // No configuration at all: templates that need no cluster still run. One that is there
        // but broken is an error, not a run that quietly publishes nothing.
        var kubernetes: KubernetesConfiguration?
        if KubernetesConfiguration.isPresent(environment: environment) {
            do {
                kubernetes = try KubernetesConfiguration.resolve(environment: environment)
            } catch {
                throw RunError("the Kubernetes configuration cannot be used: \(error.message)")
            }
        }
        let options = RunOptions(
            binaries: URL(fileURLWithPath: bin).standardizedFileURL.path, engine: engineKind, extraEnvironment: extra,
            kubernetes: kubernetes,
            backoffScale: backoffScale, namespace: kubernetes?.namespace ?? "argo-events", publishesStatus: !noWorkflowStatus)
        let executor = try WorkflowExecutor(templates: all, options: options, workflow: workflow) { line in
            FileHandle.standardError.write(Data("steps-runner: \(line)\n".utf8))
        }
        FileHandle.standardError.write(
            Data(
                "steps-runner: running \(executor.name); resources, securityContext, volumes and podGC are accepted but not enforced on this machine\n"
                    .utf8))
        let root = try executor.run(workflow, parameters: values)
        print(StepTree.render(root, workflow: workflow, parameters: values))
        if root.phase != .succeeded { throw ExitCode(1) }
    }
}

extension RunError: LocalizedError {}
