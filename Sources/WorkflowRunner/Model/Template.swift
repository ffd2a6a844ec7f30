/// One template: a container, a DAG, or steps.
public struct Template: Sendable {
    public enum Body: Sendable {
        case container(image: String, args: [String], env: [EnvironmentVariable])
        case dag([WorkflowStep])
        case steps([[WorkflowStep]])
    }

    public var name: String
    public var inputs: [Parameter]
    public var outputs: [OutputParameter]
    public var body: Body
    public var retry: RetryStrategy?
    public var activeDeadlineSeconds: Double?
    /// At most this many children of this template run at once.
    public var parallelism: Int?
}
