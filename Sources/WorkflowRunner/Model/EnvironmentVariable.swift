/// An environment variable of a container.
public struct EnvironmentVariable: Sendable {
    public enum Source: Sendable {
        case value(String)
        case configMap(name: String, key: String, optional: Bool)
        case secret(name: String, key: String, optional: Bool)
        case field(String)
    }

    public var name: String
    public var source: Source
}
