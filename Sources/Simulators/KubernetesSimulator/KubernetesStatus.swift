import JSON

/// The API server's `Status` bodies, in its exact shapes, for every refusal the simulator makes.
enum KubernetesStatusBody {
    static func failure(_ code: Int, reason: String, message: String, details: JSONValue? = nil) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("kind", "Status"), JSONMember("apiVersion", "v1"), JSONMember("metadata", [:]),
            JSONMember("status", "Failure"), JSONMember("message", .string(message)), JSONMember("reason", .string(reason)),
        ]
        if let details { members.append(JSONMember("details", details)) }
        members.append(JSONMember("code", .integer(code)))
        return .object(members)
    }

    static func notFound(_ resource: String, _ name: String) -> JSONValue {
        failure(
            404, reason: "NotFound", message: "\(resource) \"\(name)\" not found",
            details: ["name": .string(name), "kind": .string(resource)])
    }

    static func alreadyExists(_ resource: String, _ name: String) -> JSONValue {
        failure(
            409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists",
            details: ["name": .string(name), "kind": .string(resource)])
    }

    static func conflict(_ resource: String, _ name: String) -> JSONValue {
        failure(
            409, reason: "Conflict",
            message:
                "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            details: ["name": .string(name), "kind": .string(resource)])
    }

    static func unauthorized() -> JSONValue {
        failure(401, reason: "Unauthorized", message: "Unauthorized")
    }

    static func forbidden(verb: String, resource: String, name: String?, namespace: String, user: String) -> JSONValue {
        let subject = name.map { "\(resource) \"\($0)\"" } ?? resource
        var details: [JSONMember] = []
        if let name { details.append(JSONMember("name", .string(name))) }
        details.append(JSONMember("kind", .string(resource)))
        return failure(
            403, reason: "Forbidden",
            message:
                "\(subject) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource)\" in API group \"\" in the namespace \"\(namespace)\"",
            details: .object(details))
    }

    static let nameRule =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

    static func invalidName(kind: String, name: String) -> JSONValue {
        let cause = "Invalid value: \"\(name)\": \(nameRule)"
        return failure(
            422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: metadata.name: \(cause)",
            details: [
                "name": .string(name), "kind": .string(kind),
                "causes": [["reason": "FieldValueInvalid", "message": .string(cause), "field": "metadata.name"]],
            ])
    }

    static func invalid(kind: String, name: String, field: String, message: String) -> JSONValue {
        failure(
            422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(field): \(message)",
            details: [
                "name": .string(name), "kind": .string(kind),
                "causes": [["reason": "FieldValueInvalid", "message": .string(message), "field": .string(field)]],
            ])
    }

    static func badRequest(_ message: String) -> JSONValue {
        failure(400, reason: "BadRequest", message: message)
    }
}
