/// `asInt(lastRetry.exitCode) == 75`, and the like joined with `||` and `&&`: the retry
/// expressions the templates use. Anything else is an error naming it.
enum RetryExpression {
    static func evaluate(_ expression: String, exitCode: Int32) throws -> Bool {
        try ComparisonChain.evaluate(expression) { try comparison($0, exitCode: exitCode) }
    }

    static func comparison(_ trimmed: String, exitCode: Int32) throws -> Bool {
        for op in ["==", "!=", ">=", "<=", ">", "<"] {
            guard let range = trimmed.range(of: op) else { continue }
            let left = trimmed[..<range.lowerBound].trimmingCharacters(in: " ")
            let right = trimmed[range.upperBound...].trimmingCharacters(in: " ")
            guard ["asInt(lastRetry.exitCode)", "lastRetry.exitCode"].contains(left), let value = Int32(right) else { break }
            switch op {
            case "==": return exitCode == value
            case "!=": return exitCode != value
            case ">=": return exitCode >= value
            case "<=": return exitCode <= value
            case ">": return exitCode > value
            default: return exitCode < value
            }
        }
        throw RunError(
            "retryStrategy.expression \"\(trimmed)\" is not supported by the local runner (comparisons of asInt(lastRetry.exitCode))")
    }
}
