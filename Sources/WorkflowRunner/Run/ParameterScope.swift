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

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
