/// A parameter: a name and, maybe, a value.
public struct Parameter: Sendable {
    public var name: String
    public var value: String?
}
