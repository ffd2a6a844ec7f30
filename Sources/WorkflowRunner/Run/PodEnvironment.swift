import Foundation

/// A container's environment as the kubelet makes it: `value`s with parameters substituted,
/// `fieldRef`s (the pod's name, uid, namespace), ConfigMap and Secret keys (a missing one
/// stops the pod unless optional), and this machine's KUBECONFIG passed on for the steps that
/// reach the cluster.
struct PodEnvironment {
    let template: Template
    let scope: ParameterScope
    let podName: String
    let podUID: String
    let namespace: String
    /// A ConfigMap's or Secret's key (name, key, isSecret), nil when it has none.
    let lookup: (String, String, Bool) throws -> String?

    func resolve(_ env: [EnvironmentVariable]) throws -> [String: String] {
        var environment = ["PATH": "/usr/bin:/bin", "HOSTNAME": podName]
        if let kubeconfig = ProcessInfo.processInfo.environment["KUBECONFIG"] { environment["KUBECONFIG"] = kubeconfig }
        for variable in env {
            switch variable.source {
            case .value(let value):
                environment[variable.name] = try scope.substitute(value, where: "\(template.name) env \(variable.name)")
            case .field(let path):
                environment[variable.name] = path == "metadata.uid" ? podUID : path == "metadata.name" ? podName : namespace
            case .configMap(let name, let key, let optional), .secret(let name, let key, let optional):
                let isSecret: Bool
                if case .secret = variable.source { isSecret = true } else { isSecret = false }
                let objectName = try scope.substitute(name, where: "\(template.name) env \(variable.name)")
                if let value = try lookup(objectName, key, isSecret) {
                    environment[variable.name] = value
                } else if !optional {
                    throw RunError(
                        "\(isSecret ? "Secret" : "ConfigMap") \(objectName) has no key \(key) (env \(variable.name)); the pod would not start"
                    )
                }
            }
        }
        return environment
    }
}
