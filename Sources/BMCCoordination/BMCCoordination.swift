import Kubernetes
import Redfish
import StepRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a step that logs in to a BMC shares with every other step on it: the failed-login
/// history, and (for steps that change the BMC) the change lock. In Kubernetes, in the
/// workflow's namespace; with no Kubernetes configuration at all (a step run by hand with
/// podman) in this process only, said in one warning.
public struct BMCCoordination {
    public let history: any LoginHistory
    public let lock: any ChangeLock

    /// For the BMC at `endpoint`, as `step`. A configuration that is there but unusable is an
    /// error (exit 64); one whose API cannot be reached fails at the history's first read,
    /// before any login (exit 75).
    public static func resolve(endpoint: RedfishEndpoint, step: String, environment: [String: String]) throws -> BMCCoordination {
        guard KubernetesConfiguration.isPresent(environment: environment) else {
            Log.warning(
                "no Kubernetes configuration: the failed-login history of \(endpoint.base) is kept in this process only, and no Lease keeps other steps off it; other runs on this BMC cannot pace on this one's failed logins"
            )
            return BMCCoordination(history: InProcessLoginHistory(), lock: NoChangeLock())
        }
        let configuration = try KubernetesConfiguration.resolve(environment: environment)
        let name = try BMCObjectName(endpointBase: endpoint.base)
        let pod = environment.setting("HOSTNAME") ?? "unknown-host"
        let client = try KubernetesClient(configuration: configuration)
        return BMCCoordination(
            history: ConfigMapLoginHistory(client: client, name: name, bmc: endpoint.base, pod: pod),
            lock: LeaseChangeLock(
                configuration: configuration, name: name, bmc: endpoint.base,
                identity: "\(pod)/\(step)/\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"))
    }
}
