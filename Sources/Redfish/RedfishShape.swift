import JSON

/// Reads a Redfish resource of a known shape as its type: a field the decision needs that is
/// missing or mistyped is an error naming the resource and the field's path, never a default.
enum RedfishShape {
    /// `what` names the resource for the operator: "task", "AccountService".
    static func decode<Shape: Decodable>(_ type: Shape.Type, from json: JSONValue, what: String, at path: String) throws(RedfishError)
        -> Shape
    {
        do {
            return try JSONValueDecoder().decode(type, from: json)
        } catch let error as DecodingError {
            throw .unexpected("the BMC's \(what) at \(path) cannot be read: \(error.fieldDescription)")
        } catch {
            throw .unexpected("the BMC's \(what) at \(path) cannot be read: \(error)")
        }
    }

    static func decode<Shape: Decodable>(_ type: Shape.Type, from body: [UInt8], what: String, at path: String) throws(RedfishError)
        -> Shape
    {
        guard let json = try? JSONValue(parsing: body) else { throw .unexpected("the BMC's \(what) at \(path) is not JSON") }
        return try decode(type, from: json, what: what, at: path)
    }

    static func decode<Shape: Decodable>(_ type: Shape.Type, from resource: RedfishResource, what: String) throws(RedfishError) -> Shape {
        try decode(type, from: resource.json, what: what, at: resource.path)
    }
}
