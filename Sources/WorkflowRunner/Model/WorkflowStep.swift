/// A step of a steps template or a task of a DAG: one call of a template, with its arguments,
/// fan-out, condition and dependencies (Argo's WorkflowStep and DAGTask, as one).
public struct WorkflowStep: Sendable {
    public var name: String
    public var reference: TemplateReference
    public var dependencies: [String]
    public var arguments: [Parameter]
    /// Fan out: one child per item of this JSON list (`{{item}}`, `{{item.key}}`).
    public var withParam: String?
    /// Run only when this expression holds, else the node is Skipped.
    public var when: String?
    /// `continueOn.failed`: a failure of this one does not fail its parent.
    public var continueOnFailed: Bool
}
