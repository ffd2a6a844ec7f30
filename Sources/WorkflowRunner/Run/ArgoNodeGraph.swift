import Foundation
import JSON

/// The run's nodes as an Argo controller records them in `status.nodes`, so that what reads a
/// Workflow (the fleet budget and summary) is tested against the shapes production writes: a
/// retried step is a Retry node with a Pod per attempt; a steps template has a StepGroup per
/// group and a DAG's fan-out a TaskGroup; every node names its template invocation in
/// `boundaryID`; and a step's last pods list whatever runs next as children (steps.go "connect
/// all the outbound nodes of the previous step group", dag.go "add all outbound nodes of our
/// dependencies as parents"), so the graph is not a tree.
struct ArgoNodeGraph {
    private struct Entry {
        var fields: [JSONMember]
        var children: [String] = []
        var outbound: [String]?
    }

    private var entries: [String: Entry] = [:]

    /// The `status.nodes` map of the run under `root`, keyed by node id and sorted as Go's JSON
    /// encoder writes a map.
    static func nodes(of root: RunNode) -> JSONValue {
        var graph = ArgoNodeGraph()
        _ = graph.visit(root, name: root.name, boundary: nil)
        return .object(
            graph.entries.sorted { $0.key < $1.key }.map { id, entry in
                var fields = entry.fields
                if !entry.children.isEmpty { fields.append(JSONMember("children", .array(entry.children.map { .string($0) }))) }
                if let outbound = entry.outbound, !outbound.isEmpty {
                    fields.append(JSONMember("outboundNodes", .array(outbound.map { .string($0) })))
                }
                return JSONMember(id, .object(fields))
            })
    }

    private mutating func link(_ parent: String, _ child: String) {
        if entries[parent]?.children.contains(child) == false { entries[parent]?.children.append(child) }
    }

    /// Records a node and its subgraph; returns its outbound nodes: the ids whatever comes after
    /// it hangs below.
    private mutating func visit(_ node: RunNode, name: String, boundary: String?) -> [String] {
        let state = node.snapshot()
        switch state.kind {
        case .pod where state.retried:
            return visitRetry(node, state, name: name, boundary: boundary)
        case .pod, .skipped:
            // Skipped and Omitted nodes carry no inputs (steps.go).
            let inputs = state.kind == .skipped ? [] : state.inputs
            add(
                node.id, name: name, display: node.name, type: state.kind.rawValue, template: node, phase: state.phase, boundary: boundary,
                message: state.message, started: state.started, finished: node.isFinished ? state.finished : nil, inputs: inputs,
                outputs: state.outputs, exitCode: state.exitCode)
            return [node.id]
        case .steps:
            return visitSteps(node, state, name: name, boundary: boundary)
        case .dag:
            return visitDAG(node, state, name: name, boundary: boundary)
        }
    }

    private mutating func visitRetry(_ node: RunNode, _ state: RunNode.State, name: String, boundary: String?) -> [String] {
        let last = state.attemptLog.last
        // A Retry node that failed says why no attempt followed; its outputs are its last
        // attempt's (operator.go processNodeRetries).
        let message = state.phase == .failed ? (state.retryEnd.isEmpty ? state.message : state.retryEnd) : ""
        add(
            node.id, name: name, display: node.name, type: "Retry", template: node, phase: state.phase, boundary: boundary,
            message: message, started: state.started, finished: node.isFinished ? state.finished : nil, inputs: state.inputs,
            outputs: last?.outputs ?? [:], exitCode: last?.exitCode)
        var outbound: [String] = []
        for (index, attempt) in state.attemptLog.enumerated() {
            let id = "\(node.id)-\(index)"
            // An attempt the runner could not even start ends with its step.
            let abandoned = attempt.finished == nil && node.isFinished
            add(
                id, name: "\(name)(\(index))", display: "\(node.name)(\(index))", type: "Pod", template: node,
                phase: abandoned ? state.phase : attempt.phase, boundary: boundary, message: abandoned ? state.message : attempt.message,
                started: attempt.started, finished: abandoned ? state.finished : attempt.finished, inputs: state.inputs,
                outputs: attempt.outputs, exitCode: attempt.exitCode)
            link(node.id, id)
            outbound = [id]
        }
        return outbound.isEmpty ? [node.id] : outbound
    }

    private mutating func visitSteps(_ node: RunNode, _ state: RunNode.State, name: String, boundary: String?) -> [String] {
        add(
            node.id, name: name, display: node.name, type: "Steps", template: node, phase: state.phase, boundary: boundary,
            message: state.message, started: state.started, finished: node.isFinished ? state.finished : nil, inputs: state.inputs,
            outputs: state.outputs, exitCode: nil)
        let groups = Dictionary(grouping: state.children) { $0.placement?.group ?? 0 }.sorted { $0.key < $1.key }
        var previous: (id: String, outbound: [String])?
        for (index, members) in groups {
            let groupName = "\(name)[\(index)]"
            let groupID = "\(node.id)-group-\(index)"
            let failed = members.first { $0.phase == .failed && !$0.failureTolerated }
            let finished = members.allSatisfy(\.isFinished)
            add(
                groupID, name: groupName, display: "[\(index)]", type: "StepGroup", template: nil,
                phase: failed != nil ? .failed : finished ? .succeeded : .running, boundary: node.id,
                message: failed.map { "child '\($0.id)' failed" } ?? "", started: members.compactMap(\.started).min(),
                finished: finished ? members.compactMap(\.finished).max() : nil, inputs: [], outputs: [:], exitCode: nil)
            if let previous {
                // An empty group hands on to the next one itself (steps.go).
                for parent in previous.outbound.isEmpty ? [previous.id] : previous.outbound { link(parent, groupID) }
            } else {
                link(node.id, groupID)
            }
            var outbound: [String] = []
            for member in members {
                link(groupID, member.id)
                outbound += visit(member, name: "\(groupName).\(member.name)", boundary: node.id)
            }
            previous = (groupID, outbound)
        }
        entries[node.id]?.outbound = previous?.outbound ?? []
        return previous?.outbound ?? []
    }

    private mutating func visitDAG(_ node: RunNode, _ state: RunNode.State, name: String, boundary: String?) -> [String] {
        add(
            node.id, name: name, display: node.name, type: "DAG", template: node, phase: state.phase, boundary: boundary,
            message: state.message, started: state.started, finished: node.isFinished ? state.finished : nil, inputs: state.inputs,
            outputs: state.outputs, exitCode: nil)
        var tasks: [String] = []
        var members: [String: [RunNode]] = [:]
        for child in state.children {
            let task = child.placement?.task ?? child.name
            if members[task] == nil { tasks.append(task) }
            members[task, default: []].append(child)
        }
        var standsFor: [String: String] = [:]
        var outbound: [String: [String]] = [:]
        var dependencies: [String: [String]] = [:]
        for task in tasks {
            let instances = members[task] ?? []
            dependencies[task] = instances.first?.placement?.dependencies ?? []
            if instances.first?.placement?.fannedOut == true {
                // A fanned-out task is a TaskGroup over its items (dag.go).
                let groupID = "\(node.id)-tasks-\(task)"
                let failed = instances.first { $0.phase == .failed && !$0.failureTolerated }
                let finished = instances.allSatisfy(\.isFinished)
                add(
                    groupID, name: "\(name).\(task)", display: task, type: "TaskGroup", template: instances.first,
                    phase: failed != nil
                        ? .failed : finished ? .succeeded : .running, boundary: node.id, message: "",
                    started: instances.compactMap(\.started).min(), finished: finished ? instances.compactMap(\.finished).max() : nil,
                    inputs: [], outputs: [:], exitCode: nil)
                var groupOutbound: [String] = []
                for instance in instances {
                    link(groupID, instance.id)
                    groupOutbound += visit(instance, name: "\(name).\(instance.name)", boundary: node.id)
                }
                standsFor[task] = groupID
                outbound[task] = groupOutbound.isEmpty ? [groupID] : groupOutbound
            } else if let only = instances.first {
                standsFor[task] = only.id
                outbound[task] = visit(only, name: "\(name).\(only.name)", boundary: node.id)
            }
        }
        for task in tasks {
            guard let id = standsFor[task] else { continue }
            let known = (dependencies[task] ?? []).filter { outbound[$0] != nil }
            if known.isEmpty { link(node.id, id) }
            for dependency in known { for parent in outbound[dependency] ?? [] { link(parent, id) } }
        }
        // What comes after a DAG hangs below its leaf tasks: those no task depends on.
        let dependedOn = Set(dependencies.values.flatMap { $0 })
        let leaves = tasks.filter { !dependedOn.contains($0) }.flatMap { outbound[$0] ?? [] }
        entries[node.id]?.outbound = leaves
        return leaves
    }

    private mutating func add(
        _ id: String, name: String, display: String, type: String, template node: RunNode?, phase: RunNode.Phase, boundary: String?,
        message: String, started: Date?, finished: Date?, inputs: [(String, String)], outputs: [String: String], exitCode: Int32?
    ) {
        var fields: [JSONMember] = [
            JSONMember("id", .string(id)), JSONMember("name", .string(name)), JSONMember("displayName", .string(display)),
            JSONMember("type", .string(type)),
        ]
        if let node {
            if let reference = node.reference, let workflowTemplate = reference.workflowTemplate {
                fields.append(JSONMember("templateRef", ["name": .string(workflowTemplate), "template": .string(reference.template)]))
            } else {
                fields.append(JSONMember("templateName", .string(node.reference?.template ?? node.template)))
            }
        }
        fields.append(JSONMember("phase", .string(phase.rawValue)))
        if let boundary { fields.append(JSONMember("boundaryID", .string(boundary))) }
        if !message.isEmpty { fields.append(JSONMember("message", .string(message))) }
        if let started { fields.append(JSONMember("startedAt", .string(Self.timestamp(started)))) }
        if let finished { fields.append(JSONMember("finishedAt", .string(Self.timestamp(finished)))) }
        if !inputs.isEmpty {
            fields.append(JSONMember("inputs", ["parameters": .array(inputs.map { ["name": .string($0.0), "value": .string($0.1)] })]))
        }
        var outputFields: [JSONMember] = []
        if !outputs.isEmpty {
            outputFields.append(
                JSONMember(
                    "parameters", .array(outputs.sorted { $0.key < $1.key }.map { ["name": .string($0.key), "value": .string($0.value)] })))
        }
        // A string, as Argo writes it (operator.go).
        if let exitCode { outputFields.append(JSONMember("exitCode", .string(String(exitCode)))) }
        if !outputFields.isEmpty { fields.append(JSONMember("outputs", .object(outputFields))) }
        entries[id] = Entry(fields: fields)
    }

    /// RFC 3339 with milliseconds: Argo writes whole seconds, but a fraction is valid and lets
    /// tests see how many hosts overlapped.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
