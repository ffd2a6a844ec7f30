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
