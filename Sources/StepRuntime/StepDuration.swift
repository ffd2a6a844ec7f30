/// How a duration is written, once for every reader of one (step options, OBM_LOCKOUT_POLICY,
/// a template's retry backoff): seconds (`900`), or numbers with units as Go writes a duration
/// (`90s`, `30m`, `1h30m`, `500ms`). Each reader applies its own bounds.
public enum StepDuration {
    /// Seconds, or nil when `text` is not a duration.
    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmedWhitespace
        if let seconds = Double(trimmed), seconds.isFinite { return seconds }
        var total = 0.0
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "h": total += number * 3600
            case "m": total += number * 60
            case "s": total += number
            case "ms": total += number / 1000
            default: return nil
            }
        }
        return total
    }

    /// A step's duration option: more than zero and at most a week.
    public static func seconds(_ text: String, option: String) throws(StepError) -> Double {
        guard let value = parse(text), value > 0, value <= 86400 * 7 else {
            throw .badInput("\(option) \"\(text)\" is not a duration such as 900, 90s, 30m or 1h")
        }
        return value
    }

    /// Whole seconds as messages write them: `90 s` (waits, deadlines, ages, where a tenth means
    /// nothing); `rule` rounds a bound up when a lower figure would mislead.
    public static func wholeText(_ seconds: Double, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> String {
        "\(Int(seconds.rounded(rule))) s"
    }

    /// Seconds as the steps' logs write them: `12.5 s`, one decimal.
    public static func text(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
