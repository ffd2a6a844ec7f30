import HTTP
import JSON

/// Redfish's `@Message.ExtendedInfo` turned into one readable line: each message's text (or its
/// MessageId when there is none), with its resolution.
public enum RedfishMessages {
    /// The messages of an error body (`error.@Message.ExtendedInfo`) or of a success body
    /// (`@Message.ExtendedInfo` at the top).
    public static func extendedInfo(_ body: JSONValue?) -> [JSONValue] {
        guard let body else { return [] }
        return body["error"]?["@Message.ExtendedInfo"]?.arrayValue ?? body["@Message.ExtendedInfo"]?.arrayValue ?? []
    }

    /// The MessageIds, e.g. `Base.1.8.PasswordChangeRequired`.
    public static func messageIDs(_ body: JSONValue?) -> [String] {
        extendedInfo(body).compactMap { $0["MessageId"]?.stringValue }
    }

    public static func text(_ body: JSONValue?) -> String {
        var parts: [String] = []
        for info in extendedInfo(body) {
            var line = info["Message"]?.stringValue ?? info["MessageId"]?.stringValue ?? ""
            if let resolution = info["Resolution"]?.stringValue, !resolution.isEmpty, resolution.lowercased() != "none" {
                line += " (" + resolution + ")"
            }
            if !line.isEmpty { parts.append(line) }
        }
        if parts.isEmpty, let message = body?["error"]?["message"]?.stringValue { parts.append(message) }
        let joined = parts.joined(separator: "; ")
        return joined.count > 400 ? String(joined.prefix(400)) + "…" : joined
    }

    public static func text(_ response: HTTPResponse) -> String {
        text(try? JSONValue(parsing: response.body))
    }
}
