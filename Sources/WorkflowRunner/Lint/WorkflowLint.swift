import Foundation
import StepRuntime

/// What the JSON schema cannot check: every reference resolves, every parameter used is
/// declared, every output used is produced, DAGs are acyclic.
public enum WorkflowLint {
    /// A retryStrategy that does not fit its step. Argo makes `backoff.maxDuration` a deadline
    /// from the first attempt's start and kills a retried pod at it: below every attempt's
    /// `activeDeadlineSeconds` plus the waits between them, a retried firmware update can be
    /// killed mid-flash, and a first attempt that ran long is never retried.
    static func retryProblem(_ template: Template) -> String? {
        guard let retry = template.retry, let maxDuration = retry.backoff?.maxDuration else { return nil }
        guard let deadline = template.activeDeadlineSeconds else {
            return "retryStrategy.backoff.maxDuration without activeDeadlineSeconds: no bound says how long an attempt may run"
        }
        let needed = retry.longestRun(activeDeadlineSeconds: deadline)
        guard maxDuration < needed else { return nil }
        return
            "retryStrategy.backoff.maxDuration \(StepDuration.wholeText(maxDuration)) is below what \(retry.limit + 1) attempts of up to \(StepDuration.wholeText(deadline)) (activeDeadlineSeconds) and their backoff waits can take (\(StepDuration.wholeText(needed, rounding: .up))): Argo would kill a retried attempt mid-work at maxDuration from the first attempt's start; drop maxDuration or raise it"
    }

    /// `steps-runner lint`: each problem on standard error, then the count on standard output;
    /// true when there is none.
    public static func report(_ all: [String: WorkflowTemplate]) -> Bool {
        let problems = check(all)
        for problem in problems { FileHandle.standardError.write(Data("steps-runner lint: \(problem)\n".utf8)) }
        print("steps-runner lint: \(all.count) WorkflowTemplates, \(problems.count) problem(s)")
        return problems.isEmpty
    }

    public static func check(_ all: [String: WorkflowTemplate]) -> [String] {
        var problems: [String] = []
        for workflow in all.values.sorted(by: { $0.name < $1.name }) {
            let here = "\(workflow.file) (\(workflow.name))"
            if workflow.template(workflow.entrypoint) == nil {
                problems.append("\(here): entrypoint \(workflow.entrypoint) is not a template")
            }
            let workflowParameters = Set(workflow.arguments.map(\.name))
            for template in workflow.templates {
                let at = "\(here) template \(template.name)"
                if let problem = retryProblem(template) { problems.append("\(at): \(problem)") }
                let inputs = Set(template.inputs.map(\.name))
                var texts: [String] = template.inputs.compactMap(\.value) + template.outputs.compactMap(\.parameter)
                var taskOutputs: [String: Set<String>] = [:]
                switch template.body {
                case .container(_, let args, let env):
                    texts += args
                    for variable in env {
                        switch variable.source {
                        case .value(let value): texts.append(value)
                        case .configMap(let name, _, _), .secret(let name, _, _): texts.append(name)
                        case .field: break
                        }
                    }
                    for output in template.outputs where output.path.map({ !$0.hasPrefix("/tmp/outputs/") }) ?? false {
                        problems.append("\(at): output \(output.name) is read from \(output.path ?? ""), outside /tmp/outputs/")
                    }
                case .dag(let tasks):
                    let names = Set(tasks.map(\.name))
                    for task in tasks {
                        for dependency in task.dependencies where !names.contains(dependency) {
                            problems.append("\(at): task \(task.name) depends on \(dependency), which is not a task")
                        }
                        texts += taskTexts(task, at: at, problems: &problems)
                        taskOutputs[task.name] = checkTarget(task, kind: "task", at: at, workflow: workflow, all: all, problems: &problems)
                    }
                    if let cycle = cycle(tasks) { problems.append("\(at): the DAG has a cycle through \(cycle)") }
                case .steps(let groups):
                    for task in groups.flatMap({ $0 }) {
                        texts += taskTexts(task, at: at, problems: &problems)
                        taskOutputs[task.name] = checkTarget(task, kind: "step", at: at, workflow: workflow, all: all, problems: &problems)
                    }
                }
                for reference in texts.flatMap(ParameterScope.references) {
                    let parts = reference.split(separator: ".").map(String.init)
                    switch parts.first {
                    case "inputs" where parts.count == 3 && parts[1] == "parameters":
                        if !inputs.contains(parts[2]) { problems.append("\(at): {{\(reference)}} is not an input of this template") }
                    case "workflow" where parts.count == 3 && parts[1] == "parameters":
                        if !workflowParameters.contains(parts[2]) {
                            problems.append("\(at): {{\(reference)}} is not a parameter of \(workflow.name)")
                        }
                    case "workflow" where parts.count == 2 && ["name", "uid", "namespace"].contains(parts[1]):
                        break
                    case "tasks", "steps":
                        guard parts.count == 5, parts[2] == "outputs", parts[3] == "parameters" else {
                            problems.append("\(at): {{\(reference)}} is not supported by the local runner")
                            break
                        }
                        if let outputs = taskOutputs[parts[1]] {
                            if !outputs.contains(parts[4]) {
                                problems.append("\(at): {{\(reference)}}: \(parts[1]) produces no output \(parts[4])")
                            }
                        } else {
                            problems.append("\(at): {{\(reference)}}: there is no task or step \(parts[1])")
                        }
                    default:
                        problems.append("\(at): {{\(reference)}} is not supported by the local runner")
                    }
                }
            }
        }
        return problems
    }

    /// The texts of a task that may hold references; `{{item}}` is checked here, since only a
    /// task that fans out (withParam) has one.
    static func taskTexts(_ task: WorkflowStep, at: String, problems: inout [String]) -> [String] {
        let texts = task.arguments.compactMap(\.value) + [task.withParam, task.when].compactMap { $0 }
        return texts.filter { text in
            let references = ParameterScope.references(in: text)
            let usesItem = references.contains { $0 == "item" || $0.hasPrefix("item.") }
            if usesItem && task.withParam == nil {
                problems.append("\(at): \(task.name) uses {{item}} without withParam")
            }
            return !usesItem || references.contains { $0 != "item" && !$0.hasPrefix("item.") }
        }.map { text in
            // Keep the other references of a text that also uses {{item}}.
            ParameterScope.references(in: text).filter { $0 != "item" && !$0.hasPrefix("item.") }.map { "{{\($0)}}" }.joined()
        }
    }

    /// The outputs of the template a task calls, after checking it exists and gets its inputs.
    static func checkTarget(
        _ task: WorkflowStep, kind: String, at: String, workflow: WorkflowTemplate, all: [String: WorkflowTemplate],
        problems: inout [String]
    ) -> Set<String>? {
        guard let target = resolve(task.reference, in: workflow, all: all) else {
            problems.append("\(at): \(kind) \(task.name) refers to \(describe(task.reference)), which does not exist")
            return nil
        }
        for input in target.inputs where input.value == nil && !task.arguments.contains(where: { $0.name == input.name }) {
            problems.append("\(at): \(kind) \(task.name) does not pass input \(input.name) of \(describe(task.reference))")
        }
        return Set(target.outputs.map(\.name))
    }

    static func resolve(_ reference: TemplateReference, in workflow: WorkflowTemplate, all: [String: WorkflowTemplate]) -> Template? {
        if let other = reference.workflowTemplate { return all[other]?.template(reference.template) }
        return workflow.template(reference.template)
    }

    static func describe(_ reference: TemplateReference) -> String {
        reference.workflowTemplate.map { "\($0)/\(reference.template)" } ?? reference.template
    }

    static func cycle(_ tasks: [WorkflowStep]) -> String? {
        let dependencies = Dictionary(tasks.map { ($0.name, $0.dependencies) }, uniquingKeysWith: { first, _ in first })
        var state: [String: Int] = [:]
        func visit(_ name: String, _ path: [String]) -> String? {
            if state[name] == 1 { return (path + [name]).joined(separator: " → ") }
            if state[name] == 2 { return nil }
            state[name] = 1
            for next in dependencies[name] ?? [] {
                if let found = visit(next, path + [name]) { return found }
            }
            state[name] = 2
            return nil
        }
        for task in tasks { if let found = visit(task.name, []) { return found } }
        return nil
    }
}
