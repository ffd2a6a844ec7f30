/// A WorkflowTemplate as this runner understands it. Parsing is strict: a field the runner does
/// not know is an error naming the field, never silently ignored.
public struct WorkflowTemplate: Sendable {
    public var name: String
    public var entrypoint: String
    public var arguments: [Parameter]
    public var templates: [Template]
    public var file: String

    public func template(_ name: String) -> Template? { templates.first { $0.name == name } }
}
