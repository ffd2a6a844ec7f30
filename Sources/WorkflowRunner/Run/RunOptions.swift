import Foundation
import Kubernetes

/// How the local runner runs containers: the local binary of the image's step, or the image.
public enum ContainerEngine: String, Sendable {
    case local
    case podman
}

/// What the runner needs besides the templates.
public struct RunOptions: Sendable {
    /// Where the step binaries are (for the local engine).
    public var binaries: String
    public var engine: ContainerEngine
    /// Extra environment for every step (like `act --env`): OBM_PORT, CA files for simulators.
    public var extraEnvironment: [String: String]
    /// ConfigMaps and Secrets come from this cluster (the simulator, or a real one).
    public var kubernetes: KubernetesConfiguration?
    /// Multiplies retry backoffs (tests: 0.01).
    public var backoffScale: Double
    public var namespace: String
    /// Publish the run as an Argo Workflow object to `kubernetes` (what fleet-rollout reads).
    public var publishesStatus: Bool

    public init(
        binaries: String, engine: ContainerEngine = .local, extraEnvironment: [String: String] = [:], kubernetes: KubernetesConfiguration?,
        backoffScale: Double = 1, namespace: String = "argo-events", publishesStatus: Bool = true
    ) {
        self.publishesStatus = publishesStatus
        self.binaries = binaries
        self.engine = engine
        self.extraEnvironment = extraEnvironment
        self.kubernetes = kubernetes
        self.backoffScale = backoffScale
        self.namespace = namespace
    }
}

extension RunOptions {
    /// `name=value` arguments (`-p`, `--env`) as a dictionary; the last of a repeated name wins.
    public static func pairs(_ items: [String], option: String) throws(RunError) -> [String: String] {
        var values: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "=") else { throw RunError("\(option) \(item) is not name=value") }
            values[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return values
    }

    /// The cluster ConfigMaps, Secrets and the Workflow object live in: none when nothing
    /// configures one (templates that need no cluster still run); one that is configured but
    /// broken is an error, not a run that quietly publishes nothing.
    public static func cluster(environment: [String: String]) throws(RunError) -> KubernetesConfiguration? {
        guard KubernetesConfiguration.isPresent(environment: environment) else { return nil }
        do {
            return try KubernetesConfiguration.resolve(environment: environment)
        } catch {
            throw RunError("the Kubernetes configuration cannot be used: \(error.message)")
        }
    }
}
