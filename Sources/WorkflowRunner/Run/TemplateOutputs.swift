import Foundation

/// A template's output parameters: a container's read from the files it wrote, a steps or DAG
/// template's from expressions over its children's outputs.
enum TemplateOutputs {
    /// The files `/tmp/outputs/<name>` the container wrote in `folder`, and the first one it did not
    /// write. As Argo does, a failed container's outputs are kept (a summary that fails the
    /// workflow still shows).
    static func written(by template: Template, in folder: String) -> (values: [String: String], missing: String?) {
        var values: [String: String] = [:]
        var missing: String?
        for output in template.outputs {
            guard let path = output.path else { continue }
            let file = folder + "/" + String(path.dropFirst("/tmp/outputs/".count))
            if let value = try? String(contentsOfFile: file, encoding: .utf8) {
                values[output.name] = value
            } else if missing == nil {
                missing = "output \(output.name) was not written (\(path))"
            }
        }
        return (values, missing)
    }

    /// A steps or DAG template's outputs from `valueFrom.parameter` expressions; the node then
    /// succeeded. A failed node keeps what it has.
    static func collect(_ template: Template, scope: [String: String], node: RunNode) throws {
        guard node.phase != .failed else { return }
        var outputs = node.outputs
        for output in template.outputs {
            if let expression = output.parameter {
                outputs[output.name] = try ParameterScope(values: scope).substitute(
                    expression, where: "\(template.name) output \(output.name)")
            }
        }
        node.outputs = outputs
        node.phase = .succeeded
    }
}
