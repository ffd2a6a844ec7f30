/// How a step's duration option is written, once for every step: seconds (`900`), or with a
/// unit (`90s`, `30m`, `1h`), more than zero and at most a week.
public enum StepDuration {
    public static func seconds(_ text: String, option: String) throws(StepError) -> Double {
        var number = Substring(text)
        var scale = 1.0
        if let last = number.last, "smh".contains(last) {
            scale = last == "s" ? 1 : last == "m" ? 60 : 3600
            number = number.dropLast()
        }
        guard let value = Double(number), value > 0, value * scale <= 86400 * 7 else {
            throw .badInput("\(option) \"\(text)\" is not a duration such as 900, 90s, 30m or 1h")
        }
        return value * scale
    }

    /// Seconds as the steps' logs write them: `12.5 s`, one decimal.
    public static func text(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
