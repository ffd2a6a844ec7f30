import JSON
import Kubernetes
import StepRuntime

/// The rollout's Workflow as fleet-rollout reads it: its nodes from the API server, the
/// per-host template named, and the selected hosts as Argo hands them over.
public struct RolloutWorkflow: Sendable {
    public let name: String
    /// WORKFLOWTEMPLATE/TEMPLATE: the template each host's run calls.
    public let hostTemplate: String

    public init(name: String, hostTemplate: String) throws(StepError) {
        guard hostTemplate.split(separator: "/").count == 2 else {
            throw .badInput("--host-template \"\(hostTemplate)\" is not WORKFLOWTEMPLATE/TEMPLATE")
        }
        self.name = name
        self.hostTemplate = hostTemplate
    }

    /// Reads the Workflow now: a decision is made on the status of this moment.
    public func reader(environment: [String: String]) throws -> RolloutReader {
        let configuration = try KubernetesConfiguration.resolve(environment: environment)
        let client = try KubernetesClient(configuration: configuration)
        guard let text = try client.workflowText(named: name) else {
            throw StepError.failure("Workflow \(name) does not exist in namespace \(configuration.namespace)")
        }
        return RolloutReader(nodes: try WorkflowNodes(workflowText: text, outputsOf: [hostTemplate]), hostTemplate: hostTemplate)
    }

    /// The selected hosts from `--hostnames`: a JSON list of names, or @FILE holding it.
    public static func hostnames(argument: String?) throws -> [String] {
        let problem = StepError.badInput("a summary needs --hostnames, a JSON list of names")
        guard let argument else { throw problem }
        let text = try ArgumentFile.resolve(argument, option: "--hostnames")
        guard let list = (try? JSONValue(parsing: text))?.arrayValue else { throw problem }
        return list.compactMap(\.stringValue)
    }

    /// Each host's device type from `--device-types` (get-devices-nautobot's output): a JSON
    /// object of names, or @FILE holding it.
    public static func deviceTypes(argument: String?) throws -> [String: String] {
        let problem = StepError.badInput(
            "--action summarize-compliance needs --device-types, a JSON object of hostname to device type (get-devices-nautobot's `device-types`)"
        )
        guard let argument else { throw problem }
        let text = try ArgumentFile.resolve(argument, option: "--device-types")
        guard let members = (try? JSONValue(parsing: text))?.objectValue else { throw problem }
        var types: [String: String] = [:]
        for member in members {
            guard let type = member.value.stringValue else { throw problem }
            types[member.key] = type
        }
        return types
    }
}
