/// A step's `when` after substitution: `a == b`, `a != b`, `true`, `false`, joined with `||`
/// and `&&`; words compare as text, quoted or not, as Argo's examples use them. Anything else
/// is an error naming it.
///
/// Argo hands `when` to govaluate and reads its bare words as strings (steps.go,
/// `shouldExecute`), but govaluate has tokenized them first: an unquoted `no-baseline` is
/// `no - baseline`, a subtraction of strings, and the step fails ("Failed to evaluate 'when'
/// expresion"). So an unquoted word here may hold only what a govaluate variable does; a value
/// that may hold a `-` must be quoted in the template (`'{{steps.x.outputs.parameters.y}}' == z`).
enum WhenExpression {
    static func evaluate(_ expression: String) throws -> Bool {
        try ComparisonChain.evaluate(expression) { try comparison($0, whole: expression) }
    }

    static func comparison(_ trimmed: String, whole: String) throws -> Bool {
        for op in ["!=", "=="] {
            guard let range = trimmed.range(of: op) else { continue }
            let left = try operand(trimmed[..<range.lowerBound], whole: whole)
            let right = try operand(trimmed[range.upperBound...], whole: whole)
            return op == "==" ? left == right : left != right
        }
        throw RunError("when \"\(whole)\" is not supported by the local runner (comparisons with == and != joined by && and ||)")
    }

    /// One side of a comparison: a quoted string's text, or a bare word govaluate reads as one
    /// token (letters, digits, `_` and `.`).
    static func operand(_ text: Substring, whole: String) throws -> String {
        let word = text.trimmingCharacters(in: " ")
        for quote in ["'", "\""] where word.count >= 2 && word.hasPrefix(quote) && word.hasSuffix(quote) {
            return String(word.dropFirst().dropLast())
        }
        guard !word.isEmpty,
            word.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "." })
        else {
            throw RunError(
                "when \"\(whole)\": Argo's govaluate reads the unquoted \"\(word)\" as an expression, not a word (Failed to evaluate 'when' expresion); quote it in the template: '\(word)'"
            )
        }
        return word
    }
}
