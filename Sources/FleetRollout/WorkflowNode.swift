import StepRuntime

/// One node of an Argo Workflow's `status.nodes` (Argo's NodeStatus), with the fields a
/// rollout's decisions read. Argo's schema requires `id`, `name` and `type`; everything else may
/// be absent (a skipped node has no inputs, a pending one no phase) and stays optional here.
public struct WorkflowNode: Sendable, Equatable, Decodable {
    /// A step's `templateRef`: the WorkflowTemplate and the template in it.
    public struct TemplateReference: Sendable, Equatable, Decodable {
        public var name: String?
        public var template: String?
    }

    public var id: String
    /// The node's path in the workflow (`wf[1].host(0:h1)[0].admit(0)`).
    public var name: String
    public var displayName: String?
    /// Pod, Retry, Steps, StepGroup, DAG, TaskGroup, Skipped, ...
    public var type: String
    /// Absent until the controller has judged the node.
    public var phase: String?
    /// The template invocation (a Steps or DAG node) this node belongs to.
    public var boundaryID: String?
    public var message: String?
    public var templateName: String?
    public var templateRef: TemplateReference?
    public var children: [String]?
    /// Null while the node runs.
    public var finishedAt: String?
    /// The step's input parameters by name (a parameter without a value reads as "").
    public var inputs: [String: String]
    /// `outputs.exitCode`: a string in Argo's schema, absent until the container ended.
    public var exitCode: Int?
    /// The node's output parameters by name (`outputs.parameters`, a value Argo resolved; a
    /// parameter without one reads as ""). Kept only for the nodes a reader asks for.
    public var outputs: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, name, displayName, type, phase, boundaryID, message, templateName, templateRef, children, finishedAt, inputs, outputs
    }

    struct Parameter: Decodable {
        var name: String
        var value: String?
    }

    struct Inputs: Decodable {
        var parameters: [Parameter]?
    }

    struct Outputs: Decodable {
        var exitCode: String?
        var parameters: [Parameter]?
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        id = try fields.decode(String.self, forKey: .id)
        name = try fields.decode(String.self, forKey: .name)
        displayName = try fields.decodeIfPresent(String.self, forKey: .displayName)
        type = try fields.decode(String.self, forKey: .type)
        phase = try fields.decodeIfPresent(String.self, forKey: .phase)
        boundaryID = try fields.decodeIfPresent(String.self, forKey: .boundaryID)
        message = try fields.decodeIfPresent(String.self, forKey: .message)
        templateName = try fields.decodeIfPresent(String.self, forKey: .templateName)
        templateRef = try fields.decodeIfPresent(TemplateReference.self, forKey: .templateRef)
        children = try fields.decodeIfPresent([String].self, forKey: .children)
        finishedAt = try fields.decodeIfPresent(String.self, forKey: .finishedAt)
        let parameters = try fields.decodeIfPresent(Inputs.self, forKey: .inputs)?.parameters ?? []
        inputs = Dictionary(parameters.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        let outputs = try fields.decodeIfPresent(Outputs.self, forKey: .outputs)
        exitCode = outputs?.exitCode.flatMap { Int($0) }
        self.outputs = Dictionary(
            (outputs?.parameters ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    public init(
        id: String, name: String, displayName: String? = nil, type: String, phase: String? = nil, boundaryID: String? = nil,
        message: String? = nil, templateName: String? = nil, templateRef: TemplateReference? = nil, children: [String]? = nil,
        finishedAt: String? = nil, inputs: [String: String] = [:], exitCode: Int? = nil, outputs: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.type = type
        self.phase = phase
        self.boundaryID = boundaryID
        self.message = message
        self.templateName = templateName
        self.templateRef = templateRef
        self.children = children
        self.finishedAt = finishedAt
        self.inputs = inputs
        self.exitCode = exitCode
        self.outputs = outputs
    }

    /// `workflowtemplate/template` for a templateRef, else the template's name.
    public var template: String {
        if let templateRef { return (templateRef.name ?? "") + "/" + (templateRef.template ?? "") }
        return templateName ?? ""
    }

    /// The step as the template names it: the display name, else the last part of the path.
    public var stepName: String {
        if let displayName, !displayName.isEmpty { return displayName }
        return name.split(separator: ".").last.map(String.init) ?? name
    }

    /// Its repeated strings taken from `strings`, so equal ones share one copy.
    mutating func share(_ strings: inout StringTable) {
        displayName = displayName.map { strings.intern($0) }
        phase = phase.map { strings.intern($0) }
        boundaryID = boundaryID.map { strings.intern($0) }
        templateName = templateName.map { strings.intern($0) }
        if let reference = templateRef {
            templateRef = TemplateReference(
                name: reference.name.map { strings.intern($0) }, template: reference.template.map { strings.intern($0) })
        }
        children = children?.map { strings.intern($0) }
        finishedAt = finishedAt.map { strings.intern($0) }
        if !inputs.isEmpty {
            inputs = Dictionary(uniqueKeysWithValues: inputs.map { (strings.intern($0.key), strings.intern($0.value)) })
        }
    }

    public var isFailed: Bool { phase == "Failed" || phase == "Error" }
    public var isFinished: Bool { !["Pending", "Running", ""].contains(phase ?? "") }
    /// A `when` that held false (Skipped) or a dependency that failed (Omitted): it never ran.
    public var neverRan: Bool { type == "Skipped" || phase == "Skipped" || phase == "Omitted" }

    /// When it finished, in seconds since 1970, for ordering failures (RFC 3339, with or without
    /// a fraction).
    var finishedSeconds: Double { finishedAt.flatMap(UTCTimestamp.parse) ?? 0 }
}
