/// An output parameter and where its value comes from.
public struct OutputParameter: Sendable {
    public var name: String
    /// A file the container wrote (`/tmp/outputs/NAME`).
    public var path: String?
    /// An expression over other outputs (`{{tasks.X.outputs.parameters.Y}}`).
    public var parameter: String?
}
