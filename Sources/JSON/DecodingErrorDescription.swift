extension DecodingError {
    /// One line naming the field by its path, `clusters[1].cluster.server is not a string`: a
    /// missing or mistyped field is an error an operator can find, never a silent default.
    public var fieldDescription: String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "the top level" : text
        }
        switch self {
        case .typeMismatch(let type, let context):
            return
                "\(path(context.codingPath)) is not \(type == String.self ? "a string" : type == Bool.self ? "a boolean" : type == Double.self || type == Int.self ? "a number" : "of the expected type")"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is null"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}
