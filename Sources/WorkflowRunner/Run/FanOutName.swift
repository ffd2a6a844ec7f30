import JSON

/// The name Argo gives one item of a `withParam` fan-out, `task(i:desc)` (operator.go
/// generateNodeName and processItem, v4.1.2): a string as its JSON without the quotes, an object
/// as its `key:value` pairs sorted and joined by commas, a list as its items between brackets,
/// anything else as its JSON; parentheses are dropped so the index stays recoverable.
public enum FanOutName {
    public static func of(task: String, index: Int, item: JSONValue) -> String {
        let description = describe(item).filter { $0 != "(" && $0 != ")" }
        return "\(task)(\(index):\(description))"
    }

    static func describe(_ item: JSONValue) -> String {
        switch item {
        case .object(let members): members.map { "\($0.key):\(text($0.value))" }.sorted().joined(separator: ",")
        case .array(let items): "[" + items.map(text).joined(separator: " ") + "]"
        default: text(item)
        }
    }

    /// Go's `%v` of an Argo Item (item.go String): its JSON as Go writes it (object keys
    /// sorted), without the quotes of a string but with its escapes.
    static func text(_ item: JSONValue) -> String {
        let json = sortedKeys(item).serialized
        if case .string = item { return String(json.dropFirst().dropLast()) }
        return json
    }

    static func sortedKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): .object(members.sorted { $0.key < $1.key }.map { JSONMember($0.key, sortedKeys($0.value)) })
        case .array(let items): .array(items.map(sortedKeys))
        default: value
        }
    }
}
