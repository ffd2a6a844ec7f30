/// The values `{{...}}` expressions resolve to in one template's context.
struct ParameterScope: Sendable {
    var values: [String: String]

    /// Replaces every `{{name}}` it knows; an unknown reference is an error naming it.
    func substitute(_ text: String, where location: String) throws -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw RunError("\(location): unclosed {{ in \"\(text)\"")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")
            guard let value = values[name] else { throw RunError("\(location): {{\(name)}} is not defined here") }
            result += value
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// The `{{...}}` references in a text.
    static func references(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            found.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " "))
            rest = rest[close.upperBound...]
        }
        return found
    }
}

/// A workflow that cannot run, or failed to: one line.
public struct RunError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

/// Comparisons joined with `||` and `&&` (`&&` binding tighter), `true` and `false`: the
/// expressions the runner evaluates, each kind with its own comparisons.
enum ComparisonChain {
    static func evaluate(_ expression: String, comparison: (String) throws -> Bool) throws -> Bool {
        try expression.components(separatedBy: "||").contains { alternative in
            try alternative.components(separatedBy: "&&").allSatisfy { part in
                let trimmed = Substring(part).trimmingCharacters(in: " ()")
                if trimmed == "true" { return true }
                if trimmed == "false" { return false }
                return try comparison(trimmed)
            }
        }
    }
}

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
