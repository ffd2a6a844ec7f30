/// A reference to a template: in this WorkflowTemplate, or in another one (templateRef).
public struct TemplateReference: Sendable {
    public var workflowTemplate: String?
    public var template: String
}
