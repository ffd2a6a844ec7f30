/// A step's `when` after substitution: `a == b`, `a != b`, `true`, `false`, joined with `||`
/// and `&&`; words compare as text, quoted or not, as Argo's examples use them. Anything else
/// is an error naming it.
enum WhenExpression {
    static func evaluate(_ expression: String) throws -> Bool {
        try ComparisonChain.evaluate(expression) { try comparison($0, whole: expression) }
    }

    static func comparison(_ trimmed: String, whole: String) throws -> Bool {
        for op in ["!=", "=="] {
            guard let range = trimmed.range(of: op) else { continue }
            let left = trimmed[..<range.lowerBound].trimmingCharacters(in: " '\"")
            let right = trimmed[range.upperBound...].trimmingCharacters(in: " '\"")
            return op == "==" ? left == right : left != right
        }
        throw RunError("when \"\(whole)\" is not supported by the local runner (comparisons with == and != joined by && and ||)")
    }
}
