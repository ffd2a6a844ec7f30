import Foundation
import JSON
import StepRuntime
import Yams

/// Reads WorkflowTemplates from YAML into the model, strictly.
public enum WorkflowDocument {
    public static func load(file: String) throws -> WorkflowTemplate {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        guard let node = try Yams.compose(yaml: text) else { throw WorkflowError(file: file, message: "empty document") }
        return try parse(json(node), file: (file as NSString).lastPathComponent)
    }

    /// Every WorkflowTemplate in a folder, by name.
    public static func loadFolder(_ folder: String) throws -> [String: WorkflowTemplate] {
        var result: [String: WorkflowTemplate] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let template = try load(file: folder + "/" + name)
            result[template.name] = template
        }
        return result
    }

    /// YAML node → JSON value, keeping mapping order; scalars stay text unless plainly numbers or booleans.
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if let bool = Bool.construct(from: scalar) { return .bool(bool) }
                if Int.construct(from: scalar) != nil { return .number(scalar.string) }
                if scalar.string == "null" || scalar.string == "~" || scalar.string.isEmpty {
                    return scalar.string.isEmpty ? .string("") : .null
                }
            }
            return .string(scalar.string)
        case .mapping(let mapping):
            return .object(mapping.map { JSONMember($0.key.string ?? "", json($0.value)) })
        case .sequence(let sequence):
            return .array(sequence.map { json($0) })
        case .alias:
            return .null
        }
    }

    struct Reader {
        let file: String

        func fail(_ path: String, _ message: String) -> WorkflowError { WorkflowError(file: file, message: "\(path): \(message)") }

        /// The object's members, refusing any key outside `known`.
        func object(_ value: JSONValue?, _ path: String, known: Set<String>) throws -> [JSONMember] {
            guard let members = value?.objectValue else { throw fail(path, "expected a mapping") }
            for member in members where !known.contains(member.key) {
                throw fail("\(path).\(member.key)", "is not supported by the local runner")
            }
            return members
        }

        func string(_ value: JSONValue?, _ path: String) throws -> String {
            switch value {
            case .string(let text): return text
            case .number(let text): return text
            case .bool(let flag): return flag ? "true" : "false"
            default: throw fail(path, "expected a string")
            }
        }

        func number(_ value: JSONValue?, _ path: String) throws -> Double {
            let text = try string(value, path)
            if let number = Double(text) { return number }
            return try duration(text, path)
        }

        func duration(_ text: String, _ path: String) throws -> Double {
            guard let seconds = StepDuration.parse(text), seconds >= 0 else { throw fail(path, "\"\(text)\" is not a duration") }
            return seconds
        }

        func parameters(_ value: JSONValue?, _ path: String) throws -> [Parameter] {
            guard let value else { return [] }
            let members = try object(value, path, known: ["parameters"])
            guard let list = members.last(where: { $0.key == "parameters" })?.value.arrayValue else { return [] }
            return try list.enumerated().map { index, item in
                let itemPath = "\(path).parameters[\(index)]"
                let fields = try object(item, itemPath, known: ["name", "value", "default", "description"])
                let name = try string(fields.last { $0.key == "name" }?.value, itemPath + ".name")
                let raw = fields.last { $0.key == "value" }?.value ?? fields.last { $0.key == "default" }?.value
                return Parameter(name: name, value: try raw.map { try string($0, itemPath + ".value") })
            }
        }
    }

    static func parse(_ document: JSONValue, file: String) throws -> WorkflowTemplate {
        let reader = Reader(file: file)
        let top = try reader.object(document, "", known: ["apiVersion", "kind", "metadata", "spec"])
        func member(_ members: [JSONMember], _ key: String) -> JSONValue? { members.last { $0.key == key }?.value }
        guard member(top, "kind")?.stringValue == "WorkflowTemplate" else { throw reader.fail("kind", "only WorkflowTemplate is run") }
        let metadata = try reader.object(member(top, "metadata"), "metadata", known: ["name", "namespace", "annotations", "labels"])
        let name = try reader.string(member(metadata, "name"), "metadata.name")
        // Accepted and meaningful in a cluster, not on one machine: the runner says so once.
        let spec = try reader.object(
            member(top, "spec"), "spec", known: ["entrypoint", "arguments", "templates", "serviceAccountName", "podGC", "volumes"])
        let entrypoint = try reader.string(member(spec, "entrypoint"), "spec.entrypoint")
        let arguments = try reader.parameters(member(spec, "arguments"), "spec.arguments")
        guard let templateList = member(spec, "templates")?.arrayValue else { throw reader.fail("spec.templates", "expected a list") }
        let templates = try templateList.enumerated().map { index, value in try parseTemplate(value, "spec.templates[\(index)]", reader) }
        return WorkflowTemplate(name: name, entrypoint: entrypoint, arguments: arguments, templates: templates, file: file)
    }

    static func parseTemplate(_ value: JSONValue, _ path: String, _ reader: Reader) throws -> Template {
        let fields = try reader.object(
            value, path,
            known: [
                "name", "inputs", "outputs", "container", "dag", "steps", "retryStrategy", "activeDeadlineSeconds", "securityContext",
                "volumes", "parallelism",
            ])
        func member(_ key: String) -> JSONValue? { fields.last { $0.key == key }?.value }
        let name = try reader.string(member("name"), path + ".name")
        let inputs = try reader.parameters(member("inputs"), path + ".inputs")
        var outputs: [OutputParameter] = []
        if let outputValue = member("outputs") {
            let outputFields = try reader.object(outputValue, path + ".outputs", known: ["parameters"])
            for (index, item) in (outputFields.last { $0.key == "parameters" }?.value.arrayValue ?? []).enumerated() {
                let itemPath = "\(path).outputs.parameters[\(index)]"
                let parameter = try reader.object(item, itemPath, known: ["name", "valueFrom"])
                let from = try reader.object(
                    parameter.last { $0.key == "valueFrom" }?.value, itemPath + ".valueFrom", known: ["path", "parameter"])
                outputs.append(
                    OutputParameter(
                        name: try reader.string(parameter.last { $0.key == "name" }?.value, itemPath + ".name"),
                        path: from.last { $0.key == "path" }?.value.stringValue,
                        parameter: from.last { $0.key == "parameter" }?.value.stringValue))
            }
        }
        let body: Template.Body
        if let container = member("container") {
            body = try parseContainer(container, path + ".container", reader)
        } else if let dag = member("dag") {
            let dagFields = try reader.object(dag, path + ".dag", known: ["tasks"])
            let tasks = dagFields.last { $0.key == "tasks" }?.value.arrayValue ?? []
            body = .dag(try tasks.enumerated().map { index, task in try parseTask(task, "\(path).dag.tasks[\(index)]", reader) })
        } else if let steps = member("steps") {
            guard let groups = steps.arrayValue else { throw reader.fail(path + ".steps", "expected a list of lists") }
            body = .steps(
                try groups.enumerated().map { groupIndex, group in
                    guard let items = group.arrayValue else { throw reader.fail("\(path).steps[\(groupIndex)]", "expected a list") }
                    return try items.enumerated().map { index, task in try parseTask(task, "\(path).steps[\(groupIndex)][\(index)]", reader)
                    }
                })
        } else {
            throw reader.fail(
                path, "needs a container, a dag or steps (script, resource, suspend, http are not supported by the local runner)")
        }
        var retry: RetryStrategy?
        if let strategy = member("retryStrategy") {
            let strategyFields = try reader.object(
                strategy, path + ".retryStrategy", known: ["limit", "retryPolicy", "expression", "backoff"])
            var backoff: RetryStrategy.Backoff?
            if let backoffValue = strategyFields.last(where: { $0.key == "backoff" })?.value {
                let at = path + ".retryStrategy.backoff"
                let backoffFields = try reader.object(backoffValue, at, known: ["duration", "factor", "cap", "maxDuration"])
                func field(_ name: String) throws -> Double? {
                    try backoffFields.last(where: { $0.key == name }).map { try reader.number($0.value, at + "." + name) }
                }
                // Argo refuses a backoff without a base duration ("no base duration specified").
                guard let duration = try field("duration") else { throw reader.fail(at + ".duration", "is required") }
                let factor = try field("factor")
                if let factor, factor != factor.rounded() { throw reader.fail(at + ".factor", "must be a whole number (an int32 in Argo)") }
                backoff = RetryStrategy.Backoff(
                    duration: duration, factor: factor.map { Int($0) }, cap: try field("cap"), maxDuration: try field("maxDuration"))
            }
            if let policy = strategyFields.last(where: { $0.key == "retryPolicy" })?.value.stringValue,
                policy != "Always" && policy != "OnFailure"
            {
                throw reader.fail(path + ".retryStrategy.retryPolicy", "\(policy) is not supported by the local runner (Always, OnFailure)")
            }
            retry = RetryStrategy(
                limit: Int(
                    try reader.number(strategyFields.last { $0.key == "limit" }?.value ?? .number("0"), path + ".retryStrategy.limit")),
                expression: strategyFields.last { $0.key == "expression" }?.value.stringValue, backoff: backoff)
        }
        let deadline = try member("activeDeadlineSeconds").map { try reader.number($0, path + ".activeDeadlineSeconds") }
        let parallelism = try member("parallelism").map { value -> Int in
            guard let count = Int(try reader.string(value, path + ".parallelism")), count > 0 else {
                throw reader.fail(path + ".parallelism", "expected a positive integer")
            }
            return count
        }
        return Template(
            name: name, inputs: inputs, outputs: outputs, body: body, retry: retry, activeDeadlineSeconds: deadline,
            parallelism: parallelism)
    }

    static func parseContainer(_ value: JSONValue, _ path: String, _ reader: Reader) throws -> Template.Body {
        let fields = try reader.object(
            value, path, known: ["image", "args", "env", "resources", "securityContext", "volumeMounts", "terminationMessagePolicy"])
        func member(_ key: String) -> JSONValue? { fields.last { $0.key == key }?.value }
        let image = try reader.string(member("image"), path + ".image")
        let args = try (member("args")?.arrayValue ?? []).enumerated().map { index, arg in try reader.string(arg, "\(path).args[\(index)]")
        }
        var env: [EnvironmentVariable] = []
        for (index, item) in (member("env")?.arrayValue ?? []).enumerated() {
            let itemPath = "\(path).env[\(index)]"
            let variable = try reader.object(item, itemPath, known: ["name", "value", "valueFrom"])
            let name = try reader.string(variable.last { $0.key == "name" }?.value, itemPath + ".name")
            if let value = variable.last(where: { $0.key == "value" })?.value {
                env.append(EnvironmentVariable(name: name, source: .value(try reader.string(value, itemPath + ".value"))))
                continue
            }
            let from = try reader.object(
                variable.last { $0.key == "valueFrom" }?.value, itemPath + ".valueFrom",
                known: ["configMapKeyRef", "secretKeyRef", "fieldRef"])
            guard let source = from.first else { throw reader.fail(itemPath + ".valueFrom", "is empty") }
            switch source.key {
            case "fieldRef":
                let field = try reader.object(source.value, itemPath + ".valueFrom.fieldRef", known: ["fieldPath", "apiVersion"])
                let fieldPath = try reader.string(field.last { $0.key == "fieldPath" }?.value, itemPath + ".valueFrom.fieldRef.fieldPath")
                guard ["metadata.uid", "metadata.name", "metadata.namespace"].contains(fieldPath) else {
                    throw reader.fail(itemPath + ".valueFrom.fieldRef.fieldPath", "\(fieldPath) is not supported by the local runner")
                }
                env.append(EnvironmentVariable(name: name, source: .field(fieldPath)))
            default:
                let reference = try reader.object(source.value, "\(itemPath).valueFrom.\(source.key)", known: ["name", "key", "optional"])
                let refName = try reader.string(reference.last { $0.key == "name" }?.value, "\(itemPath).valueFrom.\(source.key).name")
                let key = try reader.string(reference.last { $0.key == "key" }?.value, "\(itemPath).valueFrom.\(source.key).key")
                let optional = reference.last { $0.key == "optional" }?.value.boolValue ?? false
                env.append(
                    EnvironmentVariable(
                        name: name,
                        source: source.key == "configMapKeyRef"
                            ? .configMap(name: refName, key: key, optional: optional) : .secret(name: refName, key: key, optional: optional)
                    ))
            }
        }
        return .container(image: image, args: args, env: env)
    }

    static func parseTask(_ value: JSONValue, _ path: String, _ reader: Reader) throws -> WorkflowStep {
        let fields = try reader.object(
            value, path, known: ["name", "template", "templateRef", "dependencies", "arguments", "withParam", "when", "continueOn"])
        func member(_ key: String) -> JSONValue? { fields.last { $0.key == key }?.value }
        let name = try reader.string(member("name"), path + ".name")
        let reference: TemplateReference
        if let template = member("template") {
            reference = TemplateReference(workflowTemplate: nil, template: try reader.string(template, path + ".template"))
        } else if let ref = member("templateRef") {
            let refFields = try reader.object(ref, path + ".templateRef", known: ["name", "template"])
            reference = TemplateReference(
                workflowTemplate: try reader.string(refFields.last { $0.key == "name" }?.value, path + ".templateRef.name"),
                template: try reader.string(refFields.last { $0.key == "template" }?.value, path + ".templateRef.template"))
        } else {
            throw reader.fail(path, "needs template or templateRef")
        }
        let dependencies = try (member("dependencies")?.arrayValue ?? []).map { try reader.string($0, path + ".dependencies") }
        var continueOnFailed = false
        if let continueOn = member("continueOn") {
            let flags = try reader.object(continueOn, path + ".continueOn", known: ["failed"])
            continueOnFailed = flags.last { $0.key == "failed" }?.value.boolValue ?? false
        }
        return WorkflowStep(
            name: name, reference: reference, dependencies: dependencies,
            arguments: try reader.parameters(member("arguments"), path + ".arguments"),
            withParam: try member("withParam").map { try reader.string($0, path + ".withParam") },
            when: try member("when").map { try reader.string($0, path + ".when") }, continueOnFailed: continueOnFailed)
    }
}
